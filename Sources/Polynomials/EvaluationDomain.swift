import Algebra

/// The multiplicative subgroup of size 2^k in an FFT field, with forward and inverse NTTs.
///
/// The generator is the power of the field's two-adic root of unity (for BN254's Fr, from the
/// generator 5), the convention snarkjs and arkworks share, so evaluations line up with theirs.
public struct EvaluationDomain<F: FFTField>: Sendable {
    public let logSize: Int
    public let size: Int
    /// A primitive size-th root of unity.
    public let generator: F
    public let generatorInverse: F
    public let sizeInverse: F
    /// generator^i for i in 0..<size/2, the butterflies' twiddle factors (the inverse transform reuses them).
    @usableFromInline let twiddles: [F]

    /// The domain of size 2^logSize, or nil if the field has no such subgroup.
    public init?(logSize: Int) {
        guard logSize >= 0, let root = F.rootOfUnity(logSize: logSize) else { return nil }
        self.logSize = logSize
        size = 1 << logSize
        generator = root
        generatorInverse = root.inverse()!
        sizeInverse = F(UInt64(size)).inverse()!
        twiddles = Self.powers(of: root, count: max(1, size / 2))
    }

    /// The smallest domain with at least `minimumSize` elements.
    public init?(atLeast minimumSize: Int) {
        var log = 0
        while (1 << log) < minimumSize { log += 1 }
        self.init(logSize: log)
    }

    /// base^0, ..., base^(count-1).
    public static func powers(of base: F, count: Int) -> [F] {
        var result = [F](repeating: .one, count: count)
        for index in 1..<max(count, 1) { result[index] = result[index - 1] * base }
        return result
    }

    /// Every element in order: generator^0, ..., generator^(size-1).
    public var elements: [F] { Self.powers(of: generator, count: size) }

    /// Coefficients to evaluations at generator^0, ..., generator^(size-1), in place.
    @inlinable
    public func ntt(_ values: inout [F]) {
        precondition(values.count == size, "NTT input must have the domain's size")
        Self.transform(&values, twiddles: twiddles)
    }

    /// Evaluations back to coefficients, in place: a forward transform, then index k -> n - k and 1/n,
    /// since evaluating at generator^-k is evaluating at generator^(n-k).
    @inlinable
    public func inverseNTT(_ values: inout [F]) {
        precondition(values.count == size, "NTT input must have the domain's size")
        Self.transform(&values, twiddles: twiddles)
        if size > 2 { values[1...].reverse() }
        let scale = sizeInverse
        values.withUnsafeMutableBufferPointer { buffer in
            let pointer = UnsafeSendableBox(buffer.baseAddress!)
            Parallel.forEachChunk(count: size) { range in
                for index in range { pointer.value[index] *= scale }
            }
        }
    }

    /// Multiplies coefficient i by shift^i (moves evaluation to the coset shift * H).
    @inlinable
    public static func distributePowers(_ values: inout [F], shift: F) {
        let count = values.count
        values.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendableBox(buffer.baseAddress!)
            Parallel.forEachChunk(count: count) { range in
                var power = shift.power(range.lowerBound)
                for index in range {
                    base.value[index] *= power
                    power *= shift
                }
            }
        }
    }

    /// Coefficients to evaluations on the coset shift * H.
    @inlinable
    public func cosetNTT(_ values: inout [F], shift: F) {
        Self.distributePowers(&values, shift: shift)
        ntt(&values)
    }

    /// Evaluations on the coset shift * H back to coefficients.
    @inlinable
    public func cosetInverseNTT(_ values: inout [F], shift: F) {
        inverseNTT(&values)
        Self.distributePowers(&values, shift: shift.inverse()!)
    }

    /// Iterative radix-2 decimation-in-time transform over both cores.
    @inlinable
    static func transform(_ values: inout [F], twiddles: [F]) {
        let n = values.count
        if n <= 1 { return }
        values.withUnsafeMutableBufferPointer { buffer in
            bitReverse(buffer)
            let data = UnsafeSendableBox(buffer.baseAddress!)
            twiddles.withUnsafeBufferPointer { twiddleBuffer in
                let roots = UnsafeSendableBox(twiddleBuffer.baseAddress!)
                var half = 1
                while half < n {
                    let stride = n / (2 * half)
                    let butterflies = n / 2
                    let currentHalf = half
                    Parallel.forEachChunk(count: butterflies) { range in
                        for k in range {
                            let block = k / currentHalf
                            let j = k - block * currentHalf
                            let top = block * 2 * currentHalf + j
                            let bottom = top + currentHalf
                            let product = data.value[bottom] * roots.value[j * stride]
                            let upper = data.value[top]
                            data.value[top] = upper + product
                            data.value[bottom] = upper - product
                        }
                    }
                    half *= 2
                }
            }
        }
    }

    @inlinable
    static func bitReverse(_ buffer: UnsafeMutableBufferPointer<F>) {
        let n = buffer.count
        var bits = 0
        while (1 << bits) < n { bits += 1 }
        for index in 0..<n {
            var reversed = 0
            var value = index
            for _ in 0..<bits {
                reversed = (reversed << 1) | (value & 1)
                value >>= 1
            }
            if index < reversed { buffer.swapAt(index, reversed) }
        }
    }
}
