import Algebra
import BigNum

/// A quick end-to-end check of the BN254 arithmetic on this machine, with fresh random inputs.
/// The CLI's `selfcheck` runs it; it is a smoke test, not a replacement for the test suite.
public enum BN254SelfCheck {
    public struct Outcome: Sendable {
        public let name: String
        public let passed: Bool
    }

    public static func run(samples: Int = 1000, using generator: inout some RandomNumberGenerator) -> [Outcome] {
        var outcomes: [Outcome] = []
        var rng = generator
        outcomes.append(Outcome(name: "Fr arithmetic agrees with GMP (\(samples) samples)",
                                passed: fieldAgrees(Fr.self, samples: samples, using: &rng)))
        outcomes.append(Outcome(name: "Fq arithmetic agrees with GMP (\(samples) samples)",
                                passed: fieldAgrees(Fq.self, samples: samples, using: &rng)))
        let rLimbs = Fr.modulus.limbs(count: 4)!
        outcomes.append(Outcome(name: "G1 generator has order r",
                                passed: BN254G1.generator.jacobian.multiplied(byLimbs: rLimbs).isInfinity))
        outcomes.append(Outcome(name: "G2 generator has order r and passes the subgroup check",
                                passed: BN254G2.generator.jacobian.multiplied(byLimbs: rLimbs).isInfinity
                                    && BN254G2.generator.isInSubgroup))
        let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
        let p = BN254G1.generator, q = BN254G2.generator
        let lhs = BN254Pairing.pairing((p * a).affine, (q * b).affine)
        let rhs = BN254Pairing.pairing((p * (a * b)).affine, q)
        outcomes.append(Outcome(name: "pairing is bilinear: e(aP, bQ) = e(abP, Q)", passed: lhs == rhs))
        outcomes.append(Outcome(name: "pairing is non-degenerate: e(P, Q) != 1", passed: !BN254Pairing.pairing(p, q).isOne))
        outcomes.append(Outcome(name: "pairing check accepts e(aP, Q) e(-P, aQ) = 1",
                                passed: BN254Pairing.pairingCheck([((p * a).affine, q), (-p, (q * a).affine)])))
        outcomes.append(Outcome(name: "pairing check rejects e(aP, Q) e(-P, bQ) for a != b",
                                passed: a == b || !BN254Pairing.pairingCheck([((p * a).affine, q), (-p, (q * b).affine)])))
        generator = rng
        return outcomes
    }

    static func fieldAgrees<F: PrimeField>(_: F.Type, samples: Int, using rng: inout some RandomNumberGenerator) -> Bool {
        let modulus = F.modulus
        for _ in 0..<samples {
            let a = BigInt.random(below: modulus, using: &rng), b = BigInt.random(below: modulus, using: &rng)
            let fa = F(canonical: a)!, fb = F(canonical: b)!
            guard (fa * fb).canonical == (a * b).modulo(modulus),
                  (fa + fb).canonical == (a + b).modulo(modulus),
                  (fa - fb).canonical == (a - b).modulo(modulus),
                  a.isZero || fa.inverse()!.canonical == a.inverse(modulo: modulus)!
            else { return false }
        }
        return true
    }
}
