import Algebra
import Curves
import Polynomials

/// Lagrange-basis points from powers of tau: the inverse DFT over the group,
/// L_i(tau) G = (1/n) sum_j omega^(-ij) tau^j G, what snarkjs's `powersoftau prepare phase2` stores per power.
public enum LagrangeBasis {
    /// The 2^logSize Lagrange points of the size-2^logSize domain from the first 2^logSize powers (tau^j G).
    public static func points<C: ShortWeierstrassCurve>(fromPowers powers: ArraySlice<AffinePoint<C>>, logSize: Int) -> [AffinePoint<C>] {
        let n = 1 << logSize
        precondition(powers.count == n, "need 2^\(logSize) powers, got \(powers.count)")
        if n == 1 { return [powers[powers.startIndex]] }
        let domain = EvaluationDomain<Fr>(logSize: logSize)!
        // Bit-reversed input, then iterative radix-2 butterflies with the twiddles omega^k.
        var values = [JacobianPoint<C>](repeating: .infinity, count: n)
        for index in 0..<n {
            var reversed = 0
            for bit in 0..<logSize where index & (1 << bit) != 0 { reversed |= 1 << (logSize - 1 - bit) }
            values[reversed] = powers[powers.startIndex + index].jacobian
        }
        let twiddleLimbs: [[UInt64]] = EvaluationDomain<Fr>.powers(of: domain.generator, count: n / 2).map {
            let limbs = $0.canonicalLimbs
            return [limbs.0, limbs.1, limbs.2, limbs.3]
        }
        values.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendableBox(buffer)
            var length = 2
            while length <= n {
                let half = length / 2, step = n / length
                Parallel.forEachChunk(count: n / 2, minimumChunk: 64) { butterflies in
                    let values = shared.value
                    for butterfly in butterflies {
                        let start = (butterfly / half) * length, offset = butterfly % half
                        let twiddle = offset * step
                        let upper = values[start + offset]
                        let lower = twiddle == 0 ? values[start + offset + half]
                            : values[start + offset + half].multiplied(byLimbs: twiddleLimbs[twiddle])
                        values[start + offset] = upper + lower
                        values[start + offset + half] = upper - lower
                    }
                }
                length *= 2
            }
        }
        // A forward transform evaluates at omega^k; the inverse wants omega^-k = omega^(n-k), then 1/n.
        values[1...].reverse()
        let scale = domain.sizeInverse.canonicalLimbs
        let scaleLimbs = [scale.0, scale.1, scale.2, scale.3]
        values.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendableBox(buffer)
            Parallel.forEachChunk(count: n, minimumChunk: 64) { range in
                for index in range { shared.value[index] = shared.value[index].multiplied(byLimbs: scaleLimbs) }
            }
        }
        return JacobianPoint.batchAffine(values)
    }
}
