import Algebra
import Curves

/// Whole sections of points at once, spread over the cores.
enum PointBatches {
    /// points[i] times the scalar whose limbs `limbs(i)` gives, back in affine form.
    static func scaled<C: ShortWeierstrassCurve>(_ points: [AffinePoint<C>], limbs: (Int) -> [UInt64]) -> [AffinePoint<C>] {
        var output = [JacobianPoint<C>](repeating: .infinity, count: points.count)
        output.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendableBox(buffer)
            Parallel.forEachChunk(count: points.count, minimumChunk: 64) { range in
                for index in range { shared.value[index] = points[index].jacobian.multiplied(byLimbs: limbs(index)) }
            }
        }
        return JacobianPoint.batchAffine(output)
    }

    /// points[i] * scalars[i].
    static func scaled<C: ShortWeierstrassCurve>(_ points: [AffinePoint<C>], _ scalars: [Fr]) -> [AffinePoint<C>] {
        scaled(points) { limbs(scalars[$0]) }
    }

    /// Every point times one scalar.
    static func scaled<C: ShortWeierstrassCurve>(_ points: [AffinePoint<C>], by scalar: Fr) -> [AffinePoint<C>] {
        let scalarLimbs = limbs(scalar)
        return scaled(points) { _ in scalarLimbs }
    }

    static func limbs(_ scalar: Fr) -> [UInt64] {
        let value = scalar.canonicalLimbs
        return [value.0, value.1, value.2, value.3]
    }

    /// Nonzero 64-bit coefficients from the system's CSPRNG, for random-linear-combination checks (error 2^-64).
    static func randomScalars(_ count: Int) -> [Fr] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in Fr(UInt64.random(in: 1...UInt64.max, using: &generator)) }
    }
}
