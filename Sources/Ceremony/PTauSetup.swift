import Algebra
import ConstraintSystem
import Curves
import Formats
import Groth16

/// Groth16 setup from a prepared powers of tau, exactly as snarkjs's `groth16 setup` (zkey new): gamma and delta
/// are the generators, every key point comes from the ptau's Lagrange sections, and the circuit hash is
/// BLAKE2b-512 over the key's points in snarkjs's order. Deterministic, so the same r1cs and ptau give snarkjs's bytes.
public enum PTauSetup {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge(constraints: Int, publicCount: Int, domainPower: Int, ptauPower: Int)
        case unsupported(String)

        public var description: String {
            switch self {
            case let .tooLarge(constraints, publicCount, domainPower, ptauPower):
                return "the circuit's \(constraints) constraints and \(publicCount) public signals need a domain of 2^\(domainPower), " +
                    "more than this ptau's power \(ptauPower) serves: use a ptau of power \(domainPower) or more"
            case let .unsupported(why): return why
            }
        }
    }

    public struct Result: Sendable {
        public var key: ProvingKey
        /// BLAKE2b-512 of the key, section 10's first field; phase-2 contributions chain from it.
        public var circuitHash: [UInt8]
    }

    /// snarkjs's section order for a fresh key (its writer emits them in this order).
    public static let sectionOrder: [UInt32] = [1, 2, 4, 3, 9, 8, 5, 6, 7, 10]

    /// snarkjs's domain: 2^(floor(log2(constraints + public signals)) + 1).
    public static func domainPower(constraintCount: Int, publicCount: Int) -> Int {
        let rows = constraintCount + publicCount
        return rows == 0 ? 1 : (Int.bitWidth - rows.leadingZeroBitCount - 1) + 1
    }

    /// - Parameter fileOrder: the constraints' terms as the `.r1cs` lists them (`R1CSFile.decodeKeepingFileOrder`);
    ///   snarkjs writes coefficients in that order, so byte identity needs it. Without it, the sorted terms are used.
    public static func setup(_ r1cs: R1CS, fileOrder: [R1CSFile.FileOrderConstraint]? = nil, ptau: PowersOfTau) throws(Failure) -> Result {
        let m = r1cs.constraints.count, publicCount = r1cs.publicCount, wires = r1cs.wireCount
        let power = domainPower(constraintCount: m, publicCount: publicCount)
        guard power <= ptau.power else {
            throw .tooLarge(constraints: m, publicCount: publicCount, domainPower: power, ptauPower: ptau.power)
        }
        guard power <= Groth16.maximumDomainLogSize else { throw .unsupported("a domain of 2^\(power) is beyond BN254's 2^28") }
        let n = 1 << power
        if n == 1 << ptau.power && n - 1 > hashChunk {
            // snarkjs's H hash then reads one point past the tau G1 section; its key could not be reproduced.
            throw .unsupported("a circuit that fills the ptau's whole domain (2^\(power)) above 2^14 points: use a ptau of power \(power + 1)")
        }
        let blocks = DomainBlocks(ptau, power: power)
        let (tau, tauG2, alphaTau, betaTau) = (blocks.tau, blocks.tauG2, blocks.alphaTau, blocks.betaTau)

        // Per wire, the (row, coefficient) terms of each combination, in the file's order; public rows last.
        typealias Terms = [(row: Int, value: Fr)]
        var a = [Terms](repeating: [], count: wires), b = a, icAndC = [[(kind: Int, row: Int, value: Fr)]](repeating: [], count: wires)
        var coefficients: [MatrixEntry] = []
        let constraints = fileOrder ?? r1cs.constraints.map { R1CSFile.FileOrderConstraint(a: $0.a.terms, b: $0.b.terms, c: $0.c.terms) }
        for (row, constraint) in constraints.enumerated() {
            for term in constraint.a {
                a[term.wire].append((row, term.coefficient))
                icAndC[term.wire].append((3, row, term.coefficient))  // beta tau
                coefficients.append(MatrixEntry(matrix: .a, constraint: row, wire: term.wire, value: term.coefficient))
            }
            for term in constraint.b {
                b[term.wire].append((row, term.coefficient))
                icAndC[term.wire].append((2, row, term.coefficient))  // alpha tau
                coefficients.append(MatrixEntry(matrix: .b, constraint: row, wire: term.wire, value: term.coefficient))
            }
            for term in constraint.c { icAndC[term.wire].append((0, row, term.coefficient)) }
        }
        for signal in 0...publicCount {
            a[signal].append((m + signal, .one))
            icAndC[signal].append((3, m + signal, .one))
            coefficients.append(MatrixEntry(matrix: .a, constraint: m + signal, wire: signal, value: .one))
        }

        let aPoints = combine(a.map { $0.map { (tau[$0.row], $0.value) } })
        let b1Points = combine(b.map { $0.map { (tau[$0.row], $0.value) } })
        let b2Points = combine(b.map { $0.map { (tauG2[$0.row], $0.value) } })
        let bases = [tau, [], alphaTau, betaTau]
        let combined = combine(icAndC.map { $0.map { (bases[$0.kind][$0.row], $0.value) } })
        let ic = Array(combined.prefix(publicCount + 1)), c = Array(combined.dropFirst(publicCount + 1))
        // H_j = L^(2n)_(2j+1)(tau) G1: the odd points of the next block.
        let h = (0..<n).map { blocks.doubleTau[2 * $0 + 1] }

        let key = ProvingKey(
            publicCount: publicCount, wireCount: wires, domainLogSize: power, alpha1: ptau.alphaTauG1[0],
            beta1: ptau.betaTauG1[0], beta2: ptau.betaG2, gamma2: BN254G2.generator, delta1: BN254G1.generator,
            delta2: BN254G2.generator, ic: ic, coefficients: coefficients, a: aPoints, b1: b1Points, b2: b2Points, c: c, h: h)
        return Result(key: key, circuitHash: circuitHash(key, tauG1: ptau.tauG1))
    }

    /// The Lagrange blocks a domain of 2^power needs: sections 12-15's when the ptau is prepared, otherwise computed
    /// here (the same points `ptau prepare` would store, for just these two powers).
    struct DomainBlocks {
        var tau: [G1Affine], tauG2: [G2Affine], alphaTau: [G1Affine], betaTau: [G1Affine]
        /// The 2^(power+1) block of tau G1, for H.
        var doubleTau: [G1Affine]

        init(_ ptau: PowersOfTau, power: Int) {
            if let lagrange = ptau.lagrange {
                tau = Array(PowersOfTau.Lagrange.block(lagrange.tauG1, power: power))
                tauG2 = Array(PowersOfTau.Lagrange.block(lagrange.tauG2, power: power))
                alphaTau = Array(PowersOfTau.Lagrange.block(lagrange.alphaTauG1, power: power))
                betaTau = Array(PowersOfTau.Lagrange.block(lagrange.betaTauG1, power: power))
                doubleTau = Array(PowersOfTau.Lagrange.block(lagrange.tauG1, power: power + 1))
                return
            }
            let n = 1 << power
            tau = LagrangeBasis.points(fromPowers: ptau.tauG1.prefix(n), logSize: power)
            tauG2 = LagrangeBasis.points(fromPowers: ptau.tauG2.prefix(n), logSize: power)
            alphaTau = LagrangeBasis.points(fromPowers: ptau.alphaTauG1.prefix(n), logSize: power)
            betaTau = LagrangeBasis.points(fromPowers: ptau.betaTauG1.prefix(n), logSize: power)
            var powers = Array(ptau.tauG1.prefix(2 * n))
            if powers.count < 2 * n { powers.append(.infinity) }
            doubleTau = LagrangeBasis.points(fromPowers: powers[...], logSize: power + 1)
        }
    }

    /// Sparse sums, one per wire: sum of value * point over its terms (coefficients 1 and -1 without a multiplication).
    static func combine<C: ShortWeierstrassCurve>(_ sums: [[(AffinePoint<C>, Fr)]]) -> [AffinePoint<C>] {
        var output = [JacobianPoint<C>](repeating: .infinity, count: sums.count)
        let minusOne = -Fr.one
        output.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendableBox(buffer)
            Parallel.forEachChunk(count: sums.count, minimumChunk: 64) { range in
                for index in range {
                    var sum = JacobianPoint<C>.infinity
                    for (point, value) in sums[index] {
                        if value == .one { sum += point }
                        else if value == minusOne { sum += -point.jacobian }
                        else { sum += point * value }
                    }
                    shared.value[index] = sum
                }
            }
        }
        return JacobianPoint.batchAffine(output)
    }

    /// snarkjs hashes the H points in chunks of 2^14, each of min(n - 1, 2^14) points (so past 2^14 + 1 the last
    /// chunk runs to tau^(2n - 1) G1): the hash must follow it to match.
    static let hashChunk = 1 << 14

    /// BLAKE2b-512 over alpha1, beta1, beta2, gamma2, delta1, delta2, then, each after its big-endian u32 count, IC,
    /// the points (tau^(i+n) - tau^i) G1, C, A, B1 and B2, all uncompressed big-endian (snarkjs's `zkey new`).
    public static func circuitHash(_ key: ProvingKey, tauG1: [G1Affine]) -> [UInt8] {
        var hasher = Digest(.blake2b512)
        for point in [key.alpha1, key.beta1] { hasher.update(Uncompressed.g1(point)) }
        for point in [key.beta2, key.gamma2] { hasher.update(Uncompressed.g2(point)) }
        hasher.update(Uncompressed.g1(key.delta1))
        hasher.update(Uncompressed.g2(key.delta2))
        func count(_ value: Int) { hasher.update(withUnsafeBytes(of: UInt32(value).bigEndian) { Array($0) }) }
        func g1s(_ points: [G1Affine]) {
            count(points.count)
            for point in points { hasher.update(Uncompressed.g1(point)) }
        }
        g1s(key.ic)
        let n = key.domainSize
        count(n - 1)
        var differences: [G1Jacobian] = []
        var start = 0
        while start < n - 1 {
            for index in start..<(start + min(n - 1, hashChunk)) {
                differences.append(tauG1[index + n].jacobian - tauG1[index].jacobian)
            }
            start += hashChunk
        }
        for point in JacobianPoint.batchAffine(differences) { hasher.update(Uncompressed.g1(point)) }
        g1s(key.c)
        g1s(key.a)
        g1s(key.b1)
        count(key.b2.count)
        for point in key.b2 { hasher.update(Uncompressed.g2(point)) }
        return hasher.finalize()
    }
}
