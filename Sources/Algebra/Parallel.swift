import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Data-parallel loops over the machine's cores (NTT, MSM, setup).
public enum Parallel {
    /// Online cores, or the value of ZKINFER_THREADS when set (1 forces serial runs).
    public static let coreCount: Int = {
        if let text = getenv("ZKINFER_THREADS").map({ String(cString: $0) }), let value = Int(text), value >= 1 {
            return value
        }
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Runs `body` over contiguous, disjoint slices of 0..<count, one per worker, when the work is
    /// large enough to pay for the threads. `body` must only write state owned by its slice.
    @inlinable
    public static func forEachChunk(count: Int, minimumChunk: Int = 1024, _ body: (Range<Int>) -> Void) {
        let workers = min(coreCount, max(1, count / max(1, minimumChunk)))
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let task = UnsafeSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                task.value(count * worker / workers..<count * (worker + 1) / workers)
            }
        }
    }

    /// Runs `body(index)` for every index in 0..<count, spread over the cores.
    @inlinable
    public static func forEach(count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let task = UnsafeSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: count) { task.value($0) }
        }
    }
}

/// Wraps a value for parallel workers that only touch disjoint parts of what it points to.
public struct UnsafeSendableBox<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
