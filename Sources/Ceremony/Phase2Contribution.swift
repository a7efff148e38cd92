import Algebra
import Curves
import Formats
import Groth16

/// snarkjs's `zkey contribute` and `zkey beacon`: a new secret delta factor x, drawn from a ChaCha stream, multiplies
/// delta (G1 and G2) and divides the C and H sections; the contribution records the public key (g1_s, x g1_s,
/// x hashToG2(transcript)) and the transcript. x lives only in this call's memory and is never written.
public enum Phase2Contribution {
    public struct Result: Sendable {
        public var key: ProvingKey
        public var contributions: ZKeyContributions
        /// BLAKE2b-512 of the new contribution's public key and transcript (what `zkey verify` prints for it).
        public var hash: [UInt8]
    }

    /// snarkjs's `getRandomRng`: BLAKE2b-512 over 64 bytes from the system's CSPRNG and the user's text seeds ChaCha.
    public static func entropyStream(text: String) -> ChaChaStream {
        var system = SystemRandomNumberGenerator()
        var digest = Digest(.blake2b512)
        digest.update((0..<8).flatMap { _ in withUnsafeBytes(of: system.next()) { Array($0) } })
        digest.update(Array(text.utf8))
        return ChaChaStream(seedingWith: digest.finalize())
    }

    /// Adds one contribution drawn from `rng` (a beacon's stream when `beacon` is given).
    public static func contribute(
        key: ProvingKey, contributions: ZKeyContributions, name: String?, rng: ChaChaStream,
        beacon: (hash: [UInt8], iterationsExp: UInt8)? = nil
    ) -> Result {
        var transcript = Digest(.blake2b512)
        transcript.update(contributions.circuitHash)
        for previous in contributions.contributions { transcript.update(Phase2Verification.publicKeyBytes(previous)) }
        let secret = SnarkjsRandom.fr(rng)
        let g1S = SnarkjsRandom.g1(rng)
        let g1SX = (g1S * secret).affine
        transcript.update(Uncompressed.g1(g1S))
        transcript.update(Uncompressed.g1(g1SX))
        let transcriptHash = transcript.finalize()
        let g2SPX = (SnarkjsRandom.hashToG2(transcriptHash) * secret).affine

        var updated = key
        updated.delta1 = (key.delta1 * secret).affine
        updated.delta2 = (key.delta2 * secret).affine
        let inverse = secret.inverse()!
        updated.c = PointBatches.scaled(key.c, by: inverse)
        updated.h = PointBatches.scaled(key.h, by: inverse)

        let contribution = ZKeyContributions.Contribution(
            deltaAfter: updated.delta1, g1S: g1S, g1SX: g1SX, g2SPX: g2SPX, transcript: transcriptHash,
            type: beacon == nil ? 0 : 1, name: name, numIterationsExp: beacon?.iterationsExp, beaconHash: beacon?.hash)
        var section = contributions
        section.contributions.append(contribution)
        return Result(key: updated, contributions: section, hash: Digest.blake2b512(Phase2Verification.publicKeyBytes(contribution)))
    }
}
