import Algebra
import Curves

/// Many scalar multiplications of one base point, as Groth16 setup needs.
///
/// A table holds k * 2^(8i) * G for every byte position i and byte value k, so each product is
/// 32 mixed additions with no doublings.
public struct FixedBaseTable<C: ShortWeierstrassCurve>: Sendable {
    /// table[i * 256 + k] = k * 2^(8i) * base.
    @usableFromInline let table: [AffinePoint<C>]
    @inlinable static var windowCount: Int { 32 }

    @inlinable
    public init(base: AffinePoint<C>) {
        var jacobian = [JacobianPoint<C>](repeating: .infinity, count: Self.windowCount * 256)
        var windowBase = base.jacobian
        for window in 0..<Self.windowCount {
            var multiple = JacobianPoint<C>.infinity
            for value in 0..<256 {
                jacobian[window * 256 + value] = multiple
                multiple += windowBase
            }
            windowBase = multiple  // 256 * previous window base
        }
        table = JacobianPoint<C>.batchAffine(jacobian)
    }

    @inlinable
    public func multiply(_ scalar: Fr) -> JacobianPoint<C> {
        let limbs = scalar.canonicalLimbs
        let words = [limbs.0, limbs.1, limbs.2, limbs.3]
        var result = JacobianPoint<C>.infinity
        for window in 0..<Self.windowCount {
            let byte = Int((words[window / 8] >> UInt64(8 * (window % 8))) & 0xff)
            if byte != 0 { result += table[window * 256 + byte] }
        }
        return result
    }

    /// Multiplies every scalar in parallel. Each worker keeps affine accumulators and adds one table
    /// entry per byte position to all of them at once, sharing one inversion per position.
    @inlinable
    public func multiplyAll(_ scalars: [Fr]) -> [AffinePoint<C>] {
        var output = [AffinePoint<C>](repeating: .infinity, count: scalars.count)
        output.withUnsafeMutableBufferPointer { buffer in
            let pointer = UnsafeSendableBox(buffer.baseAddress!)
            Parallel.forEachChunk(count: scalars.count, minimumChunk: 256) { range in
                let words = range.map { index -> Limbs4 in scalars[index].canonicalLimbs }
                var accumulators = [AffinePoint<C>](repeating: .infinity, count: range.count)
                var addends = accumulators
                for window in 0..<Self.windowCount {
                    let shift = UInt64(8 * (window % 8))
                    for (slot, value) in words.enumerated() {
                        let word: UInt64
                        switch window / 8 {
                        case 0: word = value.0
                        case 1: word = value.1
                        case 2: word = value.2
                        default: word = value.3
                        }
                        addends[slot] = table[window * 256 + Int((word >> shift) & 0xff)]
                    }
                    BatchAffineAddition.addInPlace(&accumulators, addends)
                }
                for (offset, point) in accumulators.enumerated() { pointer.value[range.lowerBound + offset] = point }
            }
        }
        return output
    }
}
