import Algebra
import Curves
import Formats
import MSM
import Polynomials

/// Phase 1 (powers of tau) as snarkjs's `powersoftau new`, `contribute`, `beacon` and `verify` compute it.
///
/// One difference: a contribution records `partialHash`, BLAKE2b's internal state after the response's points
/// (216 bytes in noble-hashes' layout), which snarkjs's verifier resumes. OpenSSL does not expose that state, so
/// zkinfer writes zeros there and its verifier recomputes the response hash from the points instead. snarkjs's
/// `powersoftau verify` therefore rejects a file whose *last* contribution is zkinfer's (earlier ones it checks by
/// pairings only, which pass).
public enum PhaseOne {
    public struct Invalid: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public struct ContributionReport: Sendable {
        public var index: Int
        public var name: String?
        public var isBeacon: Bool
        public var nextChallenge: [UInt8]
    }

    /// `powersoftau new`: every point the generator (tau = alpha = beta = 1), no contribution.
    public static func new(power: Int) -> PowersOfTau {
        let n = 1 << power
        let g1 = BN254G1.generator, g2 = BN254G2.generator
        return PowersOfTau(power: power, ceremonyPower: power, tauG1: Array(repeating: g1, count: 2 * n - 1),
                           tauG2: Array(repeating: g2, count: n), alphaTauG1: Array(repeating: g1, count: n),
                           betaTauG1: Array(repeating: g1, count: n), betaG2: g2, contributions: [])
    }

    /// The challenge a first contributor answers: BLAKE2b-512 over BLAKE2b-512("") and a fresh file's points.
    public static func firstChallengeHash(power: Int) -> [UInt8] {
        var hasher = Digest(.blake2b512)
        hasher.update(Digest.blake2b512([]))
        let g1 = Uncompressed.g1(BN254G1.generator), g2 = Uncompressed.g2(BN254G2.generator)
        let n = 1 << power
        func repeated(_ bytes: [UInt8], _ count: Int) {
            let block = Array([[UInt8]](repeating: bytes, count: min(count, 4096)).joined())
            var left = count
            while left > 0 {
                let take = min(left, 4096)
                hasher.update(block.prefix(take * bytes.count))
                left -= take
            }
        }
        repeated(g1, 2 * n - 1)
        repeated(g2, n)
        repeated(g1, n)
        repeated(g1, n)
        hasher.update(g2)
        return hasher.finalize()
    }

    /// A contributor's key for tau, alpha and beta: secrets, then (g1_s, g1_sx) each, then g2_spx each.
    struct Key {
        var secrets: [Fr]
        var g1: [G1Affine]
        var g2SPX: [G2Affine]
    }

    /// snarkjs's `getG2sp`: hashToG2 of BLAKE2b(personalization byte, challenge, g1_s, g1_sx).
    static func g2SP(_ personalization: UInt8, challenge: [UInt8], g1S: G1Affine, g1SX: G1Affine) -> G2Affine {
        var hasher = Digest(.blake2b512)
        hasher.update([personalization])
        hasher.update(challenge)
        hasher.update(Uncompressed.g1(g1S))
        hasher.update(Uncompressed.g1(g1SX))
        return SnarkjsRandom.hashToG2(hasher.finalize())
    }

    /// snarkjs's `createPTauKey`: three secrets, then for each a random g1_s, its multiple and the G2 proof.
    static func createKey(challenge: [UInt8], rng: ChaChaStream) -> Key {
        let secrets = (0..<3).map { _ in SnarkjsRandom.fr(rng) }
        var g1: [G1Affine] = [], g2SPX: [G2Affine] = []
        for (index, secret) in secrets.enumerated() {
            let g1S = SnarkjsRandom.g1(rng)
            let g1SX = (g1S * secret).affine
            g1 += [g1S, g1SX]
            g2SPX.append((g2SP(UInt8(index), challenge: challenge, g1S: g1S, g1SX: g1SX) * secret).affine)
        }
        return Key(secrets: secrets, g1: g1, g2SPX: g2SPX)
    }

    static func publicKeyBytes(g1: [G1Affine], g2SPX: [G2Affine]) -> [UInt8] {
        g1.flatMap(Uncompressed.g1) + g2SPX.flatMap(Uncompressed.g2)
    }

    /// Absorbs sections 2-6 (tau G1, tau G2, alpha and beta tau G1, beta G2) in one of the transcript encodings.
    static func absorbPoints(
        of ptau: PowersOfTau, into hasher: inout Digest, g1: (G1Affine) -> [UInt8], g2: (G2Affine) -> [UInt8]
    ) {
        for point in ptau.tauG1 { hasher.update(g1(point)) }
        for point in ptau.tauG2 { hasher.update(g2(point)) }
        for point in ptau.alphaTauG1 { hasher.update(g1(point)) }
        for point in ptau.betaTauG1 { hasher.update(g1(point)) }
        hasher.update(g2(ptau.betaG2))
    }

    /// BLAKE2b(challenge, the response's points compressed, the public key uncompressed).
    static func responseHash(challenge: [UInt8], ptau: PowersOfTau, g1: [G1Affine], g2SPX: [G2Affine]) -> [UInt8] {
        var hasher = Digest(.blake2b512)
        hasher.update(challenge)
        absorbPoints(of: ptau, into: &hasher, g1: Compressed.g1, g2: Compressed.g2)
        hasher.update(publicKeyBytes(g1: g1, g2SPX: g2SPX))
        return hasher.finalize()
    }

    /// BLAKE2b(response hash, every point uncompressed): the challenge for the next contributor.
    static func nextChallenge(responseHash: [UInt8], ptau: PowersOfTau) -> [UInt8] {
        var hasher = Digest(.blake2b512)
        hasher.update(responseHash)
        absorbPoints(of: ptau, into: &hasher, g1: Uncompressed.g1, g2: Uncompressed.g2)
        return hasher.finalize()
    }

    /// `powersoftau contribute` (or `beacon` with the beacon's stream): multiplies tau^i G1 and G2 by tau^i, alpha and
    /// beta tau^i G1 by alpha tau^i and beta tau^i, beta G2 by beta. Returns the new file and the response hash.
    public static func contribute(
        _ ptau: PowersOfTau, name: String?, rng: ChaChaStream, beacon: (hash: [UInt8], iterationsExp: UInt8)? = nil
    ) throws(Invalid) -> (ptau: PowersOfTau, responseHash: [UInt8]) {
        guard ptau.power == ptau.ceremonyPower else {
            throw Invalid(reason: "this file was reduced from a power-\(ptau.ceremonyPower) ceremony: contribute to the full file")
        }
        let challenge = ptau.contributions.last?.nextChallenge ?? firstChallengeHash(power: ptau.power)
        let key = createKey(challenge: challenge, rng: rng)
        let (tau, alpha, beta) = (key.secrets[0], key.secrets[1], key.secrets[2])
        let powers = EvaluationDomain<Fr>.powers(of: tau, count: ptau.tauG1.count)
        var next = ptau
        next.lagrange = nil
        next.tauG1 = PointBatches.scaled(ptau.tauG1, powers)
        next.tauG2 = PointBatches.scaled(ptau.tauG2, Array(powers.prefix(ptau.tauG2.count)))
        next.alphaTauG1 = PointBatches.scaled(ptau.alphaTauG1, powers.prefix(ptau.alphaTauG1.count).map { $0 * alpha })
        next.betaTauG1 = PointBatches.scaled(ptau.betaTauG1, powers.prefix(ptau.betaTauG1.count).map { $0 * beta })
        next.betaG2 = (ptau.betaG2 * beta).affine
        let response = responseHash(challenge: challenge, ptau: next, g1: key.g1, g2SPX: key.g2SPX)
        next.contributions.append(PTauContribution(
            tauG1: next.tauG1[1], tauG2: next.tauG2[1], alphaG1: next.alphaTauG1[0], betaG1: next.betaTauG1[0],
            betaG2: next.betaG2, keyG1: key.g1, keyG2: key.g2SPX, partialHash: [UInt8](repeating: 0, count: 216),
            nextChallenge: nextChallenge(responseHash: response, ptau: next), type: beacon == nil ? 0 : 1, name: name,
            numIterationsExp: beacon?.iterationsExp, beaconHash: beacon?.hash))
        return (next, response)
    }

    /// The points before a contribution (the generators before the first) and the challenge it answered.
    struct Previous {
        var tauG1: G1Affine, tauG2: G2Affine, alphaG1: G1Affine, betaG1: G1Affine, betaG2: G2Affine
        var nextChallenge: [UInt8]
    }

    /// snarkjs's `verifyContribution`: the beacon's key, the three proofs of knowledge, and each point following
    /// the previous one by the contributor's secret.
    static func verifyContribution(_ current: PTauContribution, after previous: Previous, label: String) throws(Invalid) {
        let same = SameRatio.holds
        if current.type == 1 {
            guard let hash = current.beaconHash, let exponent = current.numIterationsExp, exponent <= 63 else {
                throw Invalid(reason: "\(label): a beacon without its hash or iteration count")
            }
            let expected = createKey(challenge: previous.nextChallenge,
                                     rng: SnarkjsRandom.beaconStream(beaconHash: hash, iterationsExp: Int(exponent)))
            guard expected.g1 == current.keyG1, expected.g2SPX == current.keyG2 else {
                throw Invalid(reason: "\(label): the beacon's key does not follow from its hash and iterations")
            }
        }
        var sp: [G2Affine] = []
        for (index, name) in ["tau", "alpha", "beta"].enumerated() {
            let g1S = current.keyG1[2 * index], g1SX = current.keyG1[2 * index + 1]
            sp.append(g2SP(UInt8(index), challenge: previous.nextChallenge, g1S: g1S, g1SX: g1SX))
            guard same(g1S, g1SX, sp[index], current.keyG2[index]) else {
                throw Invalid(reason: "\(label): the \(name) key's proof of knowledge fails")
            }
        }
        guard same(previous.tauG1, current.tauG1, sp[0], current.keyG2[0]) else {
            throw Invalid(reason: "\(label): tau G1 does not follow the previous contribution")
        }
        guard same(current.keyG1[0], current.keyG1[1], previous.tauG2, current.tauG2) else {
            throw Invalid(reason: "\(label): tau G2 does not follow the previous contribution")
        }
        guard same(previous.alphaG1, current.alphaG1, sp[1], current.keyG2[1]) else {
            throw Invalid(reason: "\(label): alpha G1 does not follow the previous contribution")
        }
        guard same(previous.betaG1, current.betaG1, sp[2], current.keyG2[2]) else {
            throw Invalid(reason: "\(label): beta G1 does not follow the previous contribution")
        }
        guard same(current.keyG1[4], current.keyG1[5], previous.betaG2, current.betaG2) else {
            throw Invalid(reason: "\(label): beta G2 does not follow the previous contribution")
        }
    }

    /// `powersoftau verify`: every contribution, the last one's points and challenge hash, the powers' ratios by
    /// random linear combinations, and, in a prepared file, each Lagrange block against the powers.
    /// A file without contributions is valid only as a ceremony's start (every point the generator, as `new` writes
    /// it); it returns no report, and keys must never come from it (snarkjs's verifier refuses it outright).
    public static func verify(_ ptau: PowersOfTau) throws(Invalid) -> [ContributionReport] {
        let g1 = BN254G1.generator, g2 = BN254G2.generator
        guard let last = ptau.contributions.last else {
            let fresh = ptau.tauG1.allSatisfy { $0 == g1 } && ptau.tauG2.allSatisfy { $0 == g2 } && ptau.alphaTauG1.allSatisfy { $0 == g1 }
                && ptau.betaTauG1.allSatisfy { $0 == g1 } && ptau.betaG2 == g2
            guard fresh else { throw Invalid(reason: "no contribution is recorded, yet the points are not a fresh file's generators") }
            return []
        }
        let initial = Previous(tauG1: g1, tauG2: g2, alphaG1: g1, betaG1: g1, betaG2: g2,
                               nextChallenge: firstChallengeHash(power: ptau.ceremonyPower))
        func previous(_ index: Int) -> Previous {
            guard index > 0 else { return initial }
            let c = ptau.contributions[index - 1]
            return Previous(tauG1: c.tauG1, tauG2: c.tauG2, alphaG1: c.alphaG1, betaG1: c.betaG1, betaG2: c.betaG2,
                            nextChallenge: c.nextChallenge)
        }
        var reports: [ContributionReport] = []
        for (index, contribution) in ptau.contributions.enumerated() {
            let label = "contribution #\(index + 1)\(contribution.name.map { " (\($0))" } ?? "")"
            try verifyContribution(contribution, after: previous(index), label: label)
            reports.append(ContributionReport(index: index + 1, name: contribution.name, isBeacon: contribution.type == 1,
                                              nextChallenge: contribution.nextChallenge))
        }
        // The file's points are the last contribution's response.
        func require(_ condition: Bool, _ reason: String) throws(Invalid) { if !condition { throw Invalid(reason: reason) } }
        try require(ptau.tauG1[0] == g1 && ptau.tauG2[0] == g2, "the first tau powers must be the generators")
        try require(ptau.tauG1[1] == last.tauG1, "tau G1 does not match the last contribution")
        try require(ptau.tauG2[1] == last.tauG2, "tau G2 does not match the last contribution")
        try require(ptau.alphaTauG1[0] == last.alphaG1, "alpha G1 does not match the last contribution")
        try require(ptau.betaTauG1[0] == last.betaG1, "beta G1 does not match the last contribution")
        try require(ptau.betaG2 == last.betaG2, "beta G2 does not match the last contribution")
        try require(consecutiveRatio(ptau.tauG1, g2, last.tauG2), "the tau G1 powers are not successive powers of tau")
        try require(consecutiveRatio(ptau.alphaTauG1, g2, last.tauG2), "the alpha tau G1 powers are not successive powers of tau")
        try require(consecutiveRatio(ptau.betaTauG1, g2, last.tauG2), "the beta tau G1 powers are not successive powers of tau")
        try require(consecutiveRatioG2(ptau.tauG2, g1, last.tauG1), "the tau G2 powers are not successive powers of tau")
        if ptau.power == ptau.ceremonyPower {
            let response = responseHash(challenge: previous(ptau.contributions.count - 1).nextChallenge, ptau: ptau,
                                        g1: last.keyG1, g2SPX: last.keyG2)
            try require(nextChallenge(responseHash: response, ptau: ptau) == last.nextChallenge,
                        "the points do not hash to the last contribution's next challenge")
        }
        if let lagrange = ptau.lagrange {
            for (name, points, powers) in [("tauG1", lagrange.tauG1, ptau.tauG1), ("alphaTauG1", lagrange.alphaTauG1, ptau.alphaTauG1),
                                           ("betaTauG1", lagrange.betaTauG1, ptau.betaTauG1)] {
                let blocks = name == "tauG1" ? ptau.power + 1 : ptau.power
                for k in 0...blocks where !lagrangeBlockMatches(points, powers, k, MSM.g1) {
                    throw Invalid(reason: "the prepared \(name) block 2^\(k) is not the Lagrange basis of the powers")
                }
            }
            for k in 0...ptau.power where !lagrangeBlockMatches(lagrange.tauG2, ptau.tauG2, k, MSM.g2) {
                throw Invalid(reason: "the prepared tauG2 block 2^\(k) is not the Lagrange basis of the powers")
            }
        }
        return reports
    }

    /// sum r_i P_(i+1) = tau sum r_i P_i, checked as e(sum r_i P_i, tau G2) = e(sum r_i P_(i+1), G2).
    static func consecutiveRatio(_ points: [G1Affine], _ g2: G2Affine, _ tauG2: G2Affine) -> Bool {
        let scalars = PointBatches.randomScalars(points.count - 1)
        let first = MSM.g1(bases: Array(points.dropLast()), scalars: scalars).affine
        let second = MSM.g1(bases: Array(points.dropFirst()), scalars: scalars).affine
        return SameRatio.holds(first, second, g2, tauG2)
    }

    static func consecutiveRatioG2(_ points: [G2Affine], _ g1: G1Affine, _ tauG1: G1Affine) -> Bool {
        let scalars = PointBatches.randomScalars(points.count - 1)
        let first = MSM.g2(bases: Array(points.dropLast()), scalars: scalars).affine
        let second = MSM.g2(bases: Array(points.dropFirst()), scalars: scalars).affine
        return SameRatio.holds(g1, tauG1, first, second)
    }

    /// sum r_i L_i = sum_j c_j tau^j G with c = the inverse DFT of r (L = the inverse DFT of the powers).
    static func lagrangeBlockMatches<C: ShortWeierstrassCurve>(
        _ lagrange: [AffinePoint<C>], _ powers: [AffinePoint<C>], _ k: Int,
        _ msm: ([AffinePoint<C>], [Fr]) -> JacobianPoint<C>
    ) -> Bool {
        let n = 1 << k
        let block = Array(PowersOfTau.Lagrange.block(lagrange, power: k))
        var bases = Array(powers.prefix(n))
        if bases.count < n { bases.append(.infinity) }
        let scalars = PointBatches.randomScalars(n)
        var coefficients = scalars
        EvaluationDomain<Fr>(logSize: k)!.inverseNTT(&coefficients)
        return msm(block, scalars) == msm(bases, coefficients)
    }
}
