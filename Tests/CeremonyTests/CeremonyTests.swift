import Algebra
import Ceremony
import ConstraintSystem
import Curves
import Formats
import Foundation
import Groth16
import Polynomials
import Testing
import TestSupport

let fixtures = "../shared/fixtures/snarkjs-pot12-chain"

func fixturePresent(_ name: String) -> Bool {
    if FileManager.default.fileExists(atPath: "\(fixtures)/\(name)") { return true }
    print("skipped: \(fixtures)/\(name) is absent (shared fixtures are not beside this clone)")
    return false
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite struct DigestTests {
    /// Known answers from Python's hashlib (`hashlib.blake2b(b"abc").hexdigest()`, `hashlib.sha256(b"abc")`).
    @Test func knownAnswers() {
        #expect(hex(Digest.blake2b512(Array("abc".utf8))) == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
        #expect(hex(Digest.blake2b512([])) == "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")
        #expect(hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Absorbing in pieces, and reading the digest midway, change nothing.
        var pieces = Digest(.blake2b512)
        pieces.update([UInt8](repeating: 0x61, count: 300))
        _ = pieces.finalize()
        var copy = pieces
        copy.update([UInt8](repeating: 0x61, count: 700))
        pieces.update([UInt8](repeating: 0x61, count: 700))
        #expect(hex(pieces.finalize()) == "d6a69459fe93fc6b9537ed4336e5099e0dcca3e97290a412500ed7a0daffb03d80cf3650a20e0591f748e10c3c534945ee83d5f2c9722f1a68d98b8c01af23fd")
        #expect(copy.finalize() == pieces.finalize())
    }
}

@Suite struct PTauTests {
    /// snarkjs's own files decode and re-encode to the same bytes (sections 1-7, contributions included).
    @Test func fixtureFilesRoundTrip() throws {
        for name in ["pot12_0000.ptau", "pot12_0001.ptau"] where fixturePresent(name) {
            let bytes = try FileIO.read("\(fixtures)/\(name)")
            let ptau = try PTauFile.decode(bytes, file: name)
            #expect(ptau.power == 12 && ptau.tauG1.count == 8191 && ptau.tauG2.count == 4096)
            #expect(ptau.tauG1[0] == BN254G1.generator && ptau.tauG2[0] == BN254G2.generator)
            #expect(PTauFile.encode(ptau) == bytes, "\(name) re-encodes byte for byte")
            if name == "pot12_0001.ptau" {
                #expect(ptau.contributions.count == 1 && ptau.contributions[0].tauG1 == ptau.tauG1[1])
            }
        }
    }

    @Test func malformedFilesNameTheProblem() throws {
        guard fixturePresent("pot12_0000.ptau") else { return }
        var bytes = try FileIO.read("\(fixtures)/pot12_0000.ptau")
        #expect(throws: FormatError.self) { try PTauFile.decode(Array(bytes.prefix(5000)), file: "short.ptau") }
        bytes[12 + 12 + 44 + 12 + 64 + 3] ^= 1  // tau^1 G1's x, moved off the curve
        do {
            _ = try PTauFile.decode(bytes, file: "tampered.ptau")
            Issue.record("a point off the curve must be refused")
        } catch {
            #expect(error.description.contains("tampered.ptau") && error.description.contains("tauG1[1]"))
        }
    }

    /// The group transform against the field one: L_i(tau) G from tau^j G equals (L_i(tau) computed in Fr) G.
    @Test func lagrangePointsMatchFieldLagrangeValues() {
        var rng = SplitMix64(seed: 3)
        let tau = Fr.random(using: &rng)
        for logSize in 0...5 {
            let n = 1 << logSize
            var powers = EvaluationDomain<Fr>.powers(of: tau, count: n)
            let g1Powers = powers.map { (BN254G1.generator * $0).affine }
            let g2Powers = powers.map { (BN254G2.generator * $0).affine }
            let domain = EvaluationDomain<Fr>(logSize: logSize)!
            domain.inverseNTT(&powers)  // L_i(tau) = (1/n) sum_j omega^(-ij) tau^j
            #expect(LagrangeBasis.points(fromPowers: g1Powers[...], logSize: logSize) == powers.map { (BN254G1.generator * $0).affine })
            #expect(LagrangeBasis.points(fromPowers: g2Powers[...], logSize: logSize) == powers.map { (BN254G2.generator * $0).affine })
            #expect(powers.reduce(Fr.zero, +) == .one, "the Lagrange basis sums to one")
        }
    }

    /// The acceptance test of issue 14's setup: prepare snarkjs's pot12_0001.ptau, set up its circuit, and get
    /// circuit_0000.zkey byte for byte (snarkjs's setup is deterministic).
    @Test func setupFromThePreparedFixtureIsByteIdenticalToSnarkjs() throws {
        guard fixturePresent("pot12_0001.ptau"), fixturePresent("circuit_0000.zkey") else { return }
        let ptau = try PTauFile.read("\(fixtures)/pot12_0001.ptau")
        let prepared = PreparePhase2.prepare(ptau)
        let reread = try PTauFile.decode(PTauFile.encode(prepared), file: "prepared.ptau")
        #expect(reread.lagrange?.tauG1.count == 4 * 4096 - 1)
        // Every block of the Lagrange basis sums to tau^0 G = G (and to alpha G for the alpha section).
        for k in [0, 5, 12] {
            let block = PowersOfTau.Lagrange.block(prepared.lagrange!.tauG1, power: k)
            #expect(block.reduce(G1Jacobian.infinity) { $0 + $1 }.affine == BN254G1.generator)
            let alpha = PowersOfTau.Lagrange.block(prepared.lagrange!.alphaTauG1, power: k)
            #expect(alpha.reduce(G1Jacobian.infinity) { $0 + $1 }.affine == ptau.alphaTauG1[0])
        }
        let (r1cs, fileOrder) = try R1CSFile.decodeKeepingFileOrder(FileIO.read("\(fixtures)/TokenStateVerifier.r1cs"), file: "r1cs")
        let result = try PTauSetup.setup(r1cs, fileOrder: fileOrder, ptau: reread)
        let expected = try FileIO.read("\(fixtures)/circuit_0000.zkey")
        var section10 = result.circuitHash
        section10 += [0, 0, 0, 0]
        let written = ZKeyFile.encode(result.key, contributions: section10, sectionOrder: PTauSetup.sectionOrder)
        #expect(written.count == expected.count)
        #expect(written == expected, "byte-identical to snarkjs's circuit_0000.zkey")
        #expect(try ZKeyFile.contributionsSection(expected, file: "circuit_0000.zkey") == section10, "the circuit hash")
    }
}

@Suite struct Phase2VerificationTests {
    static func load(_ name: String, directory: String = fixtures) throws -> (ProvingKey, ZKeyContributions) {
        let bytes = try FileIO.read("\(directory)/\(name)")
        return (try ZKeyFile.decode(bytes, file: name), try ZKeyContributions.decode(bytes, file: name))
    }

    /// Both real snarkjs contributions in the shared fixtures verify: snarkjs's transcript and hash-to-G2 reproduced.
    @Test func realSnarkjsContributionsVerify() throws {
        guard fixturePresent("circuit_final.zkey") else { return }
        let (initial, initialSection) = try Self.load("circuit_0000.zkey")
        let (key, section) = try Self.load("circuit_final.zkey")
        let report = try Phase2Verification.verify(key: key, contributions: section, initial: initial, initialCircuitHash: initialSection.circuitHash)
        #expect(report.contributions.map(\.name) == ["Second contribution"])
        // The section re-encodes byte for byte.
        #expect(try ZKeyFile.contributionsSection(FileIO.read("\(fixtures)/circuit_final.zkey"), file: "final") == section.encode())

        let other = "../shared/fixtures/snarkjs-contributed-zkey"
        if FileManager.default.fileExists(atPath: other) {
            let (start, startSection) = try Self.load("confidential_transfer_0000.zkey", directory: other)
            let (final, finalSection) = try Self.load("confidential_transfer_final.zkey", directory: other)
            let second = try Phase2Verification.verify(key: final, contributions: finalSection, initial: start, initialCircuitHash: startSection.circuitHash)
            #expect(second.contributions.map(\.name) == ["MeshCrypt Phase 2"])
        }
    }

    /// Each tampering is refused, with its own reason.
    @Test func tamperedKeysAreRejected() throws {
        guard fixturePresent("circuit_final.zkey") else { return }
        let (initial, initialSection) = try Self.load("circuit_0000.zkey")
        let (key, section) = try Self.load("circuit_final.zkey")
        func expectInvalid(_ fragment: String, key changedKey: ProvingKey? = nil, section changedSection: ZKeyContributions? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try Phase2Verification.verify(key: changedKey ?? key, contributions: changedSection ?? section, initial: initial,
                                                  initialCircuitHash: initialSection.circuitHash)
                Issue.record("accepted a key that should fail with \"\(fragment)\"", sourceLocation: sourceLocation)
            } catch {
                #expect(error.reason.contains(fragment), "\(error.reason)", sourceLocation: sourceLocation)
            }
        }
        let g1 = BN254G1.generator, g2 = BN254G2.generator
        func shifted(_ point: G1Affine) -> G1Affine { (point.jacobian + g1).affine }

        var changedDelta = key
        changedDelta.delta1 = shifted(key.delta1)
        expectInvalid("delta1", key: changedDelta)
        var changedDelta2 = key
        changedDelta2.delta2 = (key.delta2.jacobian + g2).affine
        expectInvalid("delta2", key: changedDelta2)

        var wrongTranscript = section
        wrongTranscript.contributions[0].transcript[7] ^= 1
        expectInvalid("inconsistent transcript", section: wrongTranscript)

        var removed = section
        removed.contributions = []
        expectInvalid("delta1", section: removed)

        var alteredC = key
        alteredC.c[17] = shifted(key.c[17])
        expectInvalid("C section", key: alteredC)

        var alteredH = key
        alteredH.h[3] = shifted(key.h[3])
        expectInvalid("H section", key: alteredH)

        var alteredA = key
        alteredA.a[5] = shifted(key.a[5])
        expectInvalid("A section", key: alteredA)

        var forgedKnowledge = section
        forgedKnowledge.contributions[0].g2SPX = (section.contributions[0].g2SPX.jacobian + g2).affine
        expectInvalid("proof of knowledge", section: forgedKnowledge)

        var otherCircuit = section
        otherCircuit.circuitHash[0] ^= 1
        expectInvalid("transcript", section: otherCircuit)  // the transcript chains from the circuit hash

        var alteredIC = key
        alteredIC.ic[0] = shifted(key.ic[0])
        expectInvalid("IC section", key: alteredIC)
    }

    /// A contribution and a beacon on top of snarkjs's final key verify; each scales delta and divides C and H.
    @Test func contributionsAndBeaconsVerify() throws {
        guard fixturePresent("circuit_final.zkey") else { return }
        let (initial, initialSection) = try Self.load("circuit_0000.zkey")
        let (key, section) = try Self.load("circuit_final.zkey")
        let first = Phase2Contribution.contribute(key: key, contributions: section, name: "test", rng: ChaChaStream(seed: [1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(first.key.delta1 != key.delta1 && first.key.c[0] != key.c[0] && first.key.a == key.a)
        let beaconHash: [UInt8] = Array(0..<32)
        let second = Phase2Contribution.contribute(
            key: first.key, contributions: first.contributions, name: "beacon",
            rng: SnarkjsRandom.beaconStream(beaconHash: beaconHash, iterationsExp: 10), beacon: (beaconHash, 10))
        let report = try Phase2Verification.verify(key: second.key, contributions: second.contributions, initial: initial,
                                                   initialCircuitHash: initialSection.circuitHash)
        #expect(report.contributions.map(\.name) == ["Second contribution", "test", "beacon"])
        #expect(report.contributions.last?.hash == second.hash && report.contributions[2].isBeacon)
        // A beacon whose recorded hash differs from the one its key came from is refused.
        var forged = second.contributions
        forged.contributions[2].beaconHash = Array(1...32)
        #expect(throws: Phase2Verification.Invalid.self) {
            try Phase2Verification.verify(key: second.key, contributions: forged, initial: initial, initialCircuitHash: initialSection.circuitHash)
        }
    }

    /// ffjavascript's ChaCha (which snarkjs seeds) is ChaCha20's block function with the seed words as the key and
    /// counter and nonce zero, read as little-endian words: this pins that layout (key bytes 00..1f) against the
    /// keystream Python's `cryptography` gives, `Cipher(algorithms.ChaCha20(bytes(range(32)), bytes(16)),
    /// mode=None).encryptor().update(bytes(128))`. The end-to-end check is the real snarkjs contributions above.
    @Test func chachaStreamMatchesTheStandardKeystream() {
        var seed: [UInt32] = []
        for word in 0..<8 {
            let bytes = (0..<4).map { UInt32(4 * word + $0) }
            seed.append(bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24)
        }
        let stream = ChaChaStream(seed: seed)
        let words = (0..<18).map { _ in stream.nextU32() }
        #expect(words.prefix(4).map { String(format: "%08x", $0) } == ["7d2bfd39", "6a19c5d9", "7703bd8d", "494adcb8"])
        #expect(words.suffix(2).map { String(format: "%08x", $0) } == ["3142b818", "d1a6e6ad"], "the second block")
    }
}

@Suite struct PhaseOneTests {
    /// snarkjs's two files verify: the real contribution's proofs and its next-challenge hash, recomputed from the points.
    @Test func fixtureFilesVerify() throws {
        for name in ["pot12_0000.ptau", "pot12_0001.ptau"] where fixturePresent(name) {
            let reports = try PhaseOne.verify(PTauFile.read("\(fixtures)/\(name)"))
            #expect(reports.map(\.name) == (name == "pot12_0000.ptau" ? [] : ["First contribution"]))
        }
    }

    @Test func tamperedFilesAreRejected() throws {
        guard fixturePresent("pot12_0001.ptau") else { return }
        let ptau = try PTauFile.read("\(fixtures)/pot12_0001.ptau")
        func expectInvalid(_ fragment: String, _ edit: (inout PowersOfTau) -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            var changed = ptau
            edit(&changed)
            do {
                _ = try PhaseOne.verify(changed)
                Issue.record("accepted a file that should fail with \"\(fragment)\"", sourceLocation: sourceLocation)
            } catch {
                #expect(error.reason.contains(fragment), "\(error.reason)", sourceLocation: sourceLocation)
            }
        }
        expectInvalid("tau G1 powers are not successive") { $0.tauG1[100] = ($0.tauG1[100].jacobian + BN254G1.generator).affine }
        expectInvalid("tau G2 powers are not successive") { $0.tauG2[7] = ($0.tauG2[7].jacobian + BN254G2.generator).affine }
        expectInvalid("beta G2 does not match") { $0.betaG2 = ($0.betaG2.jacobian + BN254G2.generator).affine }
        expectInvalid("next challenge") { $0.contributions[0].nextChallenge[3] ^= 1 }
        expectInvalid("proof of knowledge") { $0.contributions[0].keyG2[0] = ($0.contributions[0].keyG2[0].jacobian + BN254G2.generator).affine }
        expectInvalid("not a fresh file") { $0.contributions = [] }
    }

    /// new, contribute, beacon, prepare: each file verifies, and a corrupted Lagrange block is found.
    @Test func aSmallCeremonyVerifies() throws {
        let start = PhaseOne.new(power: 5)
        #expect(try PhaseOne.verify(start).isEmpty)
        let first = try PhaseOne.contribute(start, name: "one", rng: ChaChaStream(seed: [9, 8, 7, 6, 5, 4, 3, 2])).ptau
        let beaconHash: [UInt8] = Array(repeating: 0xab, count: 32)
        let second = try PhaseOne.contribute(first, name: "beacon", rng: SnarkjsRandom.beaconStream(beaconHash: beaconHash, iterationsExp: 10),
                                             beacon: (beaconHash, 10)).ptau
        let reread = try PTauFile.decode(PTauFile.encode(second), file: "second.ptau")
        #expect(try PhaseOne.verify(reread).map(\.name) == ["one", "beacon"])
        var prepared = PreparePhase2.prepare(reread)
        #expect(try PhaseOne.verify(prepared).count == 2)
        prepared.lagrange!.betaTauG1[9] = (prepared.lagrange!.betaTauG1[9].jacobian + BN254G1.generator).affine
        #expect(throws: PhaseOne.Invalid.self) { try PhaseOne.verify(prepared) }
        // A beacon whose key does not follow from its recorded hash is refused.
        var forged = reread
        forged.contributions[1].beaconHash = Array(repeating: 0xac, count: 32)
        #expect(throws: PhaseOne.Invalid.self) { try PhaseOne.verify(forged) }
    }
}
