import Foundation

/// Durations between successive named progress calls: each step lasts until the next one starts.
public final class StepClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (name: String, start: DispatchTime)?
    private var ended: [(String, Double)] = []

    /// - Parameter step: a step already under way, timed from now.
    public init(startingWith step: String? = nil) {
        current = step.map { ($0, DispatchTime.now()) }
    }

    /// Starts `step` and returns the step that just ended with its duration.
    @discardableResult
    public func lap(_ step: String) -> (String, Double)? {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now()
        let finished = current.map { ($0.name, Double(now.uptimeNanoseconds - $0.start.uptimeNanoseconds) / 1e9) }
        if let finished { ended.append(finished) }
        current = (step, now)
        return finished
    }

    /// Ends the step under way and returns every step's duration, in order.
    public func finish() -> [(String, Double)] {
        lock.lock()
        defer { lock.unlock() }
        if let current { ended.append((current.name, Double(DispatchTime.now().uptimeNanoseconds - current.start.uptimeNanoseconds) / 1e9)) }
        current = nil
        return ended
    }
}
