import Algebra
import ConstraintSystem
import Curves
import MSM
import Polynomials

/// Groth16 over BN254, interchangeable with snarkjs and rapidsnark keys and proofs.
public enum Groth16 {
    /// Reports progress of long steps: a step name and the fraction done (0...1).
    public typealias Progress = @Sendable (String, Double) -> Void

    /// Largest domain: the prover evaluates on a coset of the 2n-th roots, and Fr has 2^28 of them.
    public static let maximumDomainLogSize = Fr.twoAdicity - 1

    /// The domain for a circuit: the next power of two at or above constraints + public signals + 1
    /// (snarkjs adds one A row per public signal and for the constant wire).
    public static func domainLogSize(constraintCount: Int, publicCount: Int) throws(Groth16Error) -> Int {
        let rows = constraintCount + publicCount + 1
        var log = 1
        while (1 << log) < rows { log += 1 }
        guard log <= maximumDomainLogSize else { throw .circuitTooLarge(constraints: constraintCount) }
        return log
    }

    /// The A and B matrix entries in snarkjs's order: per constraint its A terms then its B terms,
    /// then one A entry (value 1) per public wire, at rows constraintCount + s for s = 0...publicCount.
    public static func matrixEntries(of r1cs: R1CS) -> [MatrixEntry] {
        var entries: [MatrixEntry] = []
        for (row, constraint) in r1cs.constraints.enumerated() {
            for term in constraint.a.terms {
                entries.append(MatrixEntry(matrix: .a, constraint: row, wire: term.wire, value: term.coefficient))
            }
            for term in constraint.b.terms {
                entries.append(MatrixEntry(matrix: .b, constraint: row, wire: term.wire, value: term.coefficient))
            }
        }
        for wire in 0...r1cs.publicCount {
            entries.append(MatrixEntry(matrix: .a, constraint: r1cs.constraints.count + wire, wire: wire, value: .one))
        }
        return entries
    }

    /// A single-party setup. Whoever runs it knows the toxic waste (tau, alpha, beta, gamma, delta)
    /// and could forge proofs: use it for development only; production keys come from a ceremony.
    /// The secrets come from the system CSPRNG unless a generator is passed (tests only).
    public static func setup(
        _ r1cs: R1CS, using generator: inout some RandomNumberGenerator, progress: Progress? = nil
    ) throws(Groth16Error) -> ProvingKey {
        let logSize = try domainLogSize(constraintCount: r1cs.constraints.count, publicCount: r1cs.publicCount)
        let domain = EvaluationDomain<Fr>(logSize: logSize)!
        let doubleDomain = EvaluationDomain<Fr>(logSize: logSize + 1)!
        func nonZero() -> Fr {
            while true {
                let value = Fr.random(using: &generator)
                if !value.isZero { return value }
            }
        }
        var tau = nonZero()
        while (tau.power(doubleDomain.size)) == .one { tau = nonZero() }  // tau must avoid the 2n-th roots
        let alpha = nonZero(), beta = nonZero(), gamma = nonZero(), delta = nonZero()
        let gammaInverse = gamma.inverse()!, deltaInverse = delta.inverse()!

        progress?("Lagrange basis", 0)
        let lagrange = lagrangeBasis(at: tau, domain: domain)
        let entries = matrixEntries(of: r1cs)
        var u = [Fr](repeating: .zero, count: r1cs.wireCount)
        var v = [Fr](repeating: .zero, count: r1cs.wireCount)
        var w = [Fr](repeating: .zero, count: r1cs.wireCount)
        for entry in entries {
            switch entry.matrix {
            case .a: u[entry.wire] += entry.value * lagrange[entry.constraint]
            case .b: v[entry.wire] += entry.value * lagrange[entry.constraint]
            }
        }
        for (row, constraint) in r1cs.constraints.enumerated() {
            for term in constraint.c.terms { w[term.wire] += term.coefficient * lagrange[row] }
        }
        let combined = (0..<r1cs.wireCount).map { beta * u[$0] + alpha * v[$0] + w[$0] }
        let oddLagrange = lagrangeBasis(at: tau, domain: doubleDomain, indices: (0..<domain.size).map { 2 * $0 + 1 })

        progress?("G1 tables", 0.05)
        let g1 = FixedBaseTable(base: BN254G1.generator)
        let g2 = FixedBaseTable(base: BN254G2.generator)
        let publicEnd = r1cs.publicCount + 1
        progress?("A", 0.1)
        let aPoints = g1.multiplyAll(u)
        progress?("B1", 0.25)
        let b1Points = g1.multiplyAll(v)
        progress?("B2", 0.4)
        let b2Points = g2.multiplyAll(v)
        progress?("C", 0.7)
        let cPoints = g1.multiplyAll(combined[publicEnd...].map { $0 * deltaInverse })
        let icPoints = g1.multiplyAll(combined[..<publicEnd].map { $0 * gammaInverse })
        progress?("H", 0.85)
        let hPoints = g1.multiplyAll(oddLagrange.map { $0 * deltaInverse })
        return ProvingKey(
            publicCount: r1cs.publicCount, wireCount: r1cs.wireCount, domainLogSize: logSize,
            alpha1: g1.multiply(alpha).affine, beta1: g1.multiply(beta).affine, beta2: g2.multiply(beta).affine,
            gamma2: g2.multiply(gamma).affine, delta1: g1.multiply(delta).affine, delta2: g2.multiply(delta).affine,
            ic: icPoints, coefficients: entries, a: aPoints, b1: b1Points, b2: b2Points, c: cPoints, h: hPoints)
    }

    public static func setup(_ r1cs: R1CS, progress: Progress? = nil) throws(Groth16Error) -> ProvingKey {
        var generator = SystemRandomNumberGenerator()
        return try setup(r1cs, using: &generator, progress: progress)
    }

    /// L_i(tau) for the domain's Lagrange basis: (tau^n - 1)/n * omega^i / (tau - omega^i).
    static func lagrangeBasis(at tau: Fr, domain: EvaluationDomain<Fr>, indices: [Int]? = nil) -> [Fr] {
        let indices = indices ?? Array(0..<domain.size)
        let powers = domain.elements
        var denominators = indices.map { tau - powers[$0] }
        Fr.batchInvert(&denominators)
        let scale = (tau.power(domain.size) - .one) * domain.sizeInverse
        return zip(indices, denominators).map { scale * powers[$0] * $1 }
    }

    /// Proves with fresh blinding factors from the system CSPRNG.
    public static func prove(key: ProvingKey, witness: [Fr], progress: Progress? = nil) throws(Groth16Error) -> Proof {
        var generator = SystemRandomNumberGenerator()
        return try prove(key: key, witness: witness, using: &generator, progress: progress)
    }

    /// A proof for a full witness (wire 0 first). Checks the witness's length and first value; an
    /// unsatisfying witness yields a proof that fails verification (check it with `R1CS.checkSatisfied`).
    public static func prove(
        key: ProvingKey, witness: [Fr], using generator: inout some RandomNumberGenerator, progress: Progress? = nil
    ) throws(Groth16Error) -> Proof {
        guard witness.count == key.wireCount else {
            throw .witness("it has \(witness.count) values, the key has \(key.wireCount) wires")
        }
        guard witness[0] == .one else { throw .witness("value 0 must be 1 (the constant wire)") }
        let domain = EvaluationDomain<Fr>(logSize: key.domainLogSize)!
        let shift = Fr.rootOfUnity(logSize: key.domainLogSize + 1)!  // omega_2n; 2n <= 2^28 by validation

        progress?("evaluating A, B", 0)
        var a = [Fr](repeating: .zero, count: domain.size)
        var b = [Fr](repeating: .zero, count: domain.size)
        for entry in key.coefficients {
            let term = entry.value * witness[entry.wire]
            switch entry.matrix {
            case .a: a[entry.constraint] += term
            case .b: b[entry.constraint] += term
            }
        }
        var c = zip(a, b).map { $0 * $1 }
        // Move A, B, C to the odd 2n-th roots: interpolate, shift by omega_2n, evaluate.
        progress?("NTT", 0.1)
        func toOddRoots(_ values: inout [Fr]) {
            domain.inverseNTT(&values)
            domain.cosetNTT(&values, shift: shift)
        }
        toOddRoots(&a)
        toOddRoots(&b)
        toOddRoots(&c)
        var h = [Fr](repeating: .zero, count: domain.size)
        for index in 0..<domain.size { h[index] = a[index] * b[index] - c[index] }

        var r = Fr.random(using: &generator)
        while r.isZero { r = Fr.random(using: &generator) }
        var s = Fr.random(using: &generator)
        while s.isZero { s = Fr.random(using: &generator) }

        progress?("MSM A", 0.3)
        let msmA = MSM.g1(bases: key.a, scalars: witness)
        progress?("MSM B1", 0.4)
        let msmB1 = MSM.g1(bases: key.b1, scalars: witness)
        progress?("MSM B2", 0.5)
        let msmB2 = MSM.g2(bases: key.b2, scalars: witness)
        progress?("MSM C", 0.7)
        let msmC = MSM.g1(bases: key.c, scalars: Array(witness[(key.publicCount + 1)...]))
        progress?("MSM H", 0.8)
        let msmH = MSM.g1(bases: key.h, scalars: h)

        let proofA = key.alpha1.jacobian + msmA + key.delta1 * r
        let proofB = key.beta2.jacobian + msmB2 + key.delta2 * s
        let b1 = key.beta1.jacobian + msmB1 + key.delta1 * s
        let proofC = msmC + msmH + proofA * s + b1 * r - key.delta1 * (r * s)
        return Proof(a: proofA.affine, b: proofB.affine, c: proofC.affine)
    }

    /// Checks e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta) with one multi-pairing.
    /// The public signals come as field elements, so each is below r by construction; decoders of
    /// outside input must reject values >= r rather than reduce them.
    public static func verify(key: VerifyingKey, publicSignals: [Fr], proof: Proof) throws(Groth16Error) -> Bool {
        guard publicSignals.count == key.publicCount else {
            throw .publicInputCount(expected: key.publicCount, actual: publicSignals.count)
        }
        var vkX = key.ic[0].jacobian
        for (signal, point) in zip(publicSignals, key.ic.dropFirst()) { vkX += point * signal }
        return BN254Pairing.pairingCheck(prepared: [
            (-proof.a, G2Prepared(proof.b)),
            (key.alpha1, key.preparedBeta),
            (vkX.affine, key.preparedGamma),
            (proof.c, key.preparedDelta),
        ])
    }
}
