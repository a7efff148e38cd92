import Algebra
import Curves
import Formats
import Groth16
import MSM

/// snarkjs's `zkey verify`: a phase-2 key against its initial key (a fresh setup from the r1cs and ptau, or the
/// `_0000.zkey` it started from). Checks every contribution's transcript and proof of knowledge, beacons, the delta
/// chain, that every section but delta, C and H equals the initial key's, and C and H by random linear combinations.
public enum Phase2Verification {
    public struct ContributionReport: Sendable {
        public var index: Int
        public var name: String?
        public var isBeacon: Bool
        /// BLAKE2b-512 of the contribution's public key and transcript (what snarkjs prints).
        public var hash: [UInt8]
        public var beaconHash: [UInt8]?
        public var beaconIterationsExp: UInt8?
    }

    public struct Report: Sendable {
        public var circuitHash: [UInt8]
        public var contributions: [ContributionReport]
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The hash a contribution adds to the transcript: deltaAfter, g1_s, g1_sx, g2_spx (uncompressed), transcript.
    static func publicKeyBytes(_ contribution: ZKeyContributions.Contribution) -> [UInt8] {
        Uncompressed.g1(contribution.deltaAfter) + Uncompressed.g1(contribution.g1S) + Uncompressed.g1(contribution.g1SX)
            + Uncompressed.g2(contribution.g2SPX) + contribution.transcript
    }

    public static func verify(
        key: ProvingKey, contributions: ZKeyContributions, initial: ProvingKey, initialCircuitHash: [UInt8]
    ) throws(Invalid) -> Report {
        var accumulated = Digest(.blake2b512)
        accumulated.update(contributions.circuitHash)
        var delta = BN254G1.generator
        var reports: [ContributionReport] = []
        for (index, contribution) in contributions.contributions.enumerated() {
            let label = "contribution #\(index + 1)\(contribution.name.map { " (\($0))" } ?? "")"
            var transcript = accumulated
            transcript.update(Uncompressed.g1(contribution.g1S))
            transcript.update(Uncompressed.g1(contribution.g1SX))
            guard transcript.finalize() == contribution.transcript else { throw Invalid(reason: "\(label): inconsistent transcript") }
            let g2SP = SnarkjsRandom.hashToG2(contribution.transcript)
            guard SameRatio.holds(contribution.g1S, contribution.g1SX, g2SP, contribution.g2SPX) else {
                throw Invalid(reason: "\(label): the proof of knowledge fails (g1_s, g1_sx and g2_spx do not have the same ratio)")
            }
            guard SameRatio.holds(delta, contribution.deltaAfter, g2SP, contribution.g2SPX) else {
                throw Invalid(reason: "\(label): deltaAfter does not follow the previous delta and the public key")
            }
            if contribution.type == 1 {
                guard let beaconHash = contribution.beaconHash, let exponent = contribution.numIterationsExp, exponent <= 63 else {
                    throw Invalid(reason: "\(label): a beacon without its hash or iteration count")
                }
                let rng = SnarkjsRandom.beaconStream(beaconHash: beaconHash, iterationsExp: Int(exponent))
                let secret = SnarkjsRandom.fr(rng)
                let g1S = SnarkjsRandom.g1(rng)
                guard g1S == contribution.g1S, (g1S * secret).affine == contribution.g1SX else {
                    throw Invalid(reason: "\(label): the beacon's key does not follow from its hash and iterations")
                }
            }
            let publicKey = publicKeyBytes(contribution)
            accumulated.update(publicKey)
            reports.append(ContributionReport(
                index: index + 1, name: contribution.name, isBeacon: contribution.type == 1, hash: Digest.blake2b512(publicKey),
                beaconHash: contribution.beaconHash, beaconIterationsExp: contribution.numIterationsExp))
            delta = contribution.deltaAfter
        }

        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(Invalid) {
            if !condition { throw Invalid(reason: reason()) }
        }
        try require(key.wireCount == initial.wireCount && key.publicCount == initial.publicCount && key.domainSize == initial.domainSize,
                    "different circuit parameters (wires, public signals or domain) from the initial key")
        try require(contributions.circuitHash == initialCircuitHash, "the circuit hash differs from the initial key's: another circuit or ptau")
        try require(key.alpha1 == initial.alpha1, "alpha1 differs from the initial key's")
        try require(key.beta1 == initial.beta1, "beta1 differs from the initial key's")
        try require(key.beta2 == initial.beta2, "beta2 differs from the initial key's")
        try require(key.gamma2 == initial.gamma2, "gamma2 differs from the initial key's")
        try require(key.delta1 == delta, "delta1 is not the last contribution's deltaAfter")
        try require(SameRatio.holds(BN254G1.generator, delta, BN254G2.generator, key.delta2), "delta2 does not match delta1")
        try require(key.ic == initial.ic, "the IC section differs from the initial key's")
        try require(key.coefficients == initial.coefficients, "the coefficients section differs from the initial key's")
        try require(key.a == initial.a, "the A section differs from the initial key's")
        try require(key.b1 == initial.b1, "the B1 section differs from the initial key's")
        try require(key.b2 == initial.b2, "the B2 section differs from the initial key's")
        try require(key.c.count == initial.c.count && key.h.count == initial.h.count, "the C or H section has the wrong size")
        // C and H were divided by delta: a random combination of each, against the initial key's, has delta's ratio.
        for (name, final, start) in [("C", key.c, initial.c), ("H", key.h, initial.h)] where !final.isEmpty {
            let scalars = PointBatches.randomScalars(final.count)
            let combinedInitial = MSM.g1(bases: start, scalars: scalars).affine
            let combinedFinal = MSM.g1(bases: final, scalars: scalars).affine
            if combinedInitial.isInfinity && combinedFinal.isInfinity { continue }
            try require(SameRatio.holds(combinedInitial, combinedFinal, key.delta2, initial.delta2),
                        "the \(name) section is not the initial key's divided by delta")
        }
        return Report(circuitHash: contributions.circuitHash, contributions: reports)
    }
}
