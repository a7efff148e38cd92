import Algebra
import ConstraintSystem
import Curves
import Formats
import Foundation
import Groth16
import Testing
import TestSupport

/// Files made by snarkjs 0.4.22 (Fixtures/snarkjs, see its README): we must read, prove and verify them.
@Suite struct SnarkjsFixtureTests {
    func path(_ name: String) -> String { Fixtures.url("snarkjs/\(name)").path }

    @Test func snarkjsProofVerifies() throws {
        let key = try SnarkjsJSON.decodeVerifyingKey(FileIO.read(path("verification_key.json")), file: "vk")
        let proof = try SnarkjsJSON.decodeProof(FileIO.read(path("proof.json")), file: "proof")
        let signals = try SnarkjsJSON.decodePublicSignals(FileIO.read(path("public.json")), file: "public")
        #expect(key.publicCount == 3)
        #expect(try Groth16.verify(key: key, publicSignals: signals, proof: proof))
        var wrong = signals
        wrong[2] += .one
        #expect(try !Groth16.verify(key: key, publicSignals: wrong, proof: proof))
    }

    @Test func alphaBetaMatchesSnarkjs() throws {
        let text = try String(contentsOfFile: path("verification_key.json"), encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let expected = try #require(object["vk_alphabeta_12"] as? [[[String]]])
        let key = try SnarkjsJSON.decodeVerifyingKey(Array(text.utf8), file: "vk")
        // Same tower and the same final-exponentiation chain as ffjavascript: the values agree exactly.
        let ours = key.alphaBeta
        let flattened = [ours.c0.c0, ours.c0.c1, ours.c0.c2, ours.c1.c0, ours.c1.c1, ours.c1.c2].flatMap { [$0.c0.decimal, $0.c1.decimal] }
        #expect(flattened == expected.flatMap { $0.flatMap { $0 } })
    }

    @Test func snarkjsZkeyProvesWithOurProver() throws {
        let key = try ZKeyFile.read(path("circuit.zkey"))
        let witness = try WitnessFile.read(path("witness.wtns"))
        let r1cs = try R1CSFile.read(path("circuit.r1cs"))
        try r1cs.checkSatisfied(by: witness)
        #expect(key.coefficients == Groth16.matrixEntries(of: r1cs))
        let snarkjsKey = try SnarkjsJSON.decodeVerifyingKey(FileIO.read(path("verification_key.json")), file: "vk")
        #expect(key.verifyingKey == snarkjsKey)
        let proof = try Groth16.prove(key: key, witness: witness)
        #expect(try Groth16.verify(key: snarkjsKey, publicSignals: Array(witness[1...3]), proof: proof))
    }

    @Test func zkeyRoundTripsThroughOurWriter() throws {
        let bytes = try FileIO.read(path("circuit.zkey"))
        let key = try ZKeyFile.decode(bytes, file: "circuit.zkey")
        let reencoded = ZKeyFile.encode(key)
        #expect(try ZKeyFile.decode(reencoded, file: "reencoded") == key)
        // Sections 1-9 carry the same bytes as snarkjs wrote (section 10 differs: no contributions).
        #expect(reencoded.count < bytes.count)
    }
}

@Suite struct RoundTripTests {
    @Test func r1csWitnessProofAndKeyRoundTrip() throws {
        var rng = SplitMix64(seed: 5)
        var builder = ConstraintSystemBuilder()
        let output = builder.allocate(.publicOutput, value: Fr(12))
        let x = builder.allocate(.privateInput, value: Fr(3))
        let y = builder.allocate(.privateInput, value: Fr(4))
        builder.enforce(LinearCombination(x), LinearCombination(y), LinearCombination(output))
        let (r1cs, witness) = builder.build()
        #expect(try R1CSFile.decode(R1CSFile.encode(r1cs), file: "t.r1cs") == r1cs)
        #expect(try WitnessFile.decode(WitnessFile.encode(witness!), file: "t.wtns") == witness!)
        let key = try Groth16.setup(r1cs, using: &rng)
        #expect(try ZKeyFile.decode(ZKeyFile.encode(key), file: "t.zkey") == key)
        let proof = try Groth16.prove(key: key, witness: witness!, using: &rng)
        #expect(try SnarkjsJSON.decodeProof(Array(SnarkjsJSON.encodeProof(proof).utf8), file: "p") == proof)
        #expect(try ProofBytes.decode(ProofBytes.encode(proof), file: "p") == proof)
        let vk = key.verifyingKey
        #expect(try SnarkjsJSON.decodeVerifyingKey(Array(SnarkjsJSON.encodeVerifyingKey(vk).utf8), file: "v") == vk)
        #expect(try SnarkjsJSON.decodePublicSignals(Array(SnarkjsJSON.encodePublicSignals([Fr(12)]).utf8), file: "s") == [Fr(12)])
    }

    @Test func atomicWriteReplacesWholeFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("out.json").path
        try FileIO.writeAtomically("first", to: target)
        try FileIO.writeAtomically("second", to: target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.json"])
        #expect(throws: FormatError.self) { try FileIO.writeAtomically("x", to: directory.appendingPathComponent("missing/dir/f").path) }
    }
}

@Suite struct MalformedInputTests {
    func fixture(_ name: String) throws -> [UInt8] { try FileIO.read(Fixtures.url("snarkjs/\(name)").path) }

    func expectRejected(_ problemFragment: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected rejection containing '\(problemFragment)'")
        } catch let error as FormatError {
            #expect(error.description.contains(problemFragment), "\(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func binaryContainersRejectBadStructure() throws {
        let zkey = try fixture("circuit.zkey")
        var badMagic = zkey
        badMagic[0] = UInt8(ascii: "x")
        expectRejected("not a .zkey file") { _ = try ZKeyFile.decode(badMagic, file: "k.zkey") }
        var badVersion = zkey
        badVersion[4] = 9
        expectRejected("unsupported .zkey version 9") { _ = try ZKeyFile.decode(badVersion, file: "k.zkey") }
        expectRejected("truncated") { _ = try ZKeyFile.decode(Array(zkey.prefix(6)), file: "k.zkey") }
        expectRejected("claims") { _ = try ZKeyFile.decode(Array(zkey.prefix(zkey.count - 10)), file: "k.zkey") }
        expectRejected("unexpected bytes after the last section") { _ = try ZKeyFile.decode(zkey + [0], file: "k.zkey") }
        expectRejected("k.zkey") { _ = try ZKeyFile.decode([], file: "k.zkey") }
        // A huge section count is rejected before anything is allocated.
        var hugeCount = Array(zkey.prefix(12))
        hugeCount[8...11] = [0xff, 0xff, 0xff, 0x7f]
        expectRejected("section count") { _ = try ZKeyFile.decode(hugeCount, file: "k.zkey") }
        let wtns = try fixture("witness.wtns")
        expectRejected("not a .wtns file") { _ = try WitnessFile.decode(zkey, file: "w.wtns") }
        expectRejected("section count is 2, more than the 8 remaining bytes") { _ = try WitnessFile.decode(Array(wtns.prefix(20)), file: "w.wtns") }
        expectRejected("truncated") { _ = try WitnessFile.decode(Array(wtns.prefix(11)), file: "w.wtns") }
    }

    /// Overwrites `count` bytes of section `type`'s body at `offset` in an iden3 file.
    func patch(_ bytes: [UInt8], section type: UInt32, offset: Int, with replacement: [UInt8]) -> [UInt8] {
        var position = 12
        var result = bytes
        while position < bytes.count {
            let sectionType = bytes[position..<position + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let size = bytes[position + 4..<position + 12].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if sectionType == type {
                let start = position + 12 + offset
                result.replaceSubrange(start..<start + replacement.count, with: replacement)
                return result
            }
            position += 12 + Int(size)
        }
        Issue.record("section \(type) not found")
        return result
    }

    @Test func fieldElementsAtOrAboveTheModulusAreRejected() throws {
        let high = [UInt8](repeating: 0xff, count: 32)
        let wtns = try fixture("witness.wtns")
        expectRejected("witness value 3 is not below the scalar field modulus r") {
            _ = try WitnessFile.decode(patch(wtns, section: 2, offset: 96, with: high), file: "w.wtns")
        }
        let zkey = try fixture("circuit.zkey")
        // Section 2: n8q(4) q(32) n8r(4) r(32) nVars nPublic domain (12) then alpha1.x
        expectRejected("alpha1 x is not below the base field modulus p") {
            _ = try ZKeyFile.decode(patch(zkey, section: 2, offset: 84, with: high), file: "k.zkey")
        }
        let r1cs = try fixture("circuit.r1cs")
        // Section 2 starts with constraint 0's A term count (u32), wire (u32), coefficient (32 bytes).
        expectRejected("constraint 0 A coefficient is not below the scalar field modulus r") {
            _ = try R1CSFile.decode(patch(r1cs, section: 2, offset: 8, with: high), file: "c.r1cs")
        }
    }

    @Test func countsThatDoNotMatchAreRejected() throws {
        let wtns = try fixture("witness.wtns")
        // Header: n8 (4), prime (32), count (4).
        expectRejected("announces 106 values") {
            _ = try WitnessFile.decode(patch(wtns, section: 1, offset: 36, with: [106, 0, 0, 0]), file: "w.wtns")
        }
        let r1cs = try fixture("circuit.r1cs")
        // Constraint count is the last u32 of the 64-byte header.
        expectRejected("constraints") {
            _ = try R1CSFile.decode(patch(r1cs, section: 1, offset: 60, with: [0xff, 0xff, 0, 0]), file: "c.r1cs")
        }
        expectRejected("refers to wire") {
            _ = try R1CSFile.decode(patch(r1cs, section: 2, offset: 4, with: [0xff, 0, 0, 0]), file: "c.r1cs")
        }
        let zkey = try fixture("circuit.zkey")
        // nPublic lives at offset 76 of the header: claim 4 public signals, so IC's size no longer fits.
        expectRejected("IC") { _ = try ZKeyFile.decode(patch(zkey, section: 2, offset: 76, with: [4, 0, 0, 0]), file: "k.zkey") }
        expectRejected("matrix 2") { _ = try ZKeyFile.decode(patch(zkey, section: 4, offset: 4, with: [2, 0, 0, 0]), file: "k.zkey") }
    }

    @Test func pointsOffTheCurveOrOutsideTheSubgroupAreRejected() throws {
        let zkey = try fixture("circuit.zkey")
        // Flip one byte of A[1].x (section 5, second point): the point leaves the curve.
        var offCurve = patch(zkey, section: 5, offset: 64, with: [0x01])
        if offCurve == zkey { offCurve = patch(zkey, section: 5, offset: 64, with: [0x02]) }
        expectRejected("is not on the G1 curve") { _ = try ZKeyFile.decode(offCurve, file: "k.zkey") }
        // A twist point outside the subgroup as vk_delta_2.
        var rng = SplitMix64(seed: 6)
        var x = Fq2.random(using: &rng)
        var y: Fq2? = nil
        while y == nil {
            x += .one
            y = (x.squared() * x + BN254G2.coefficientB).squareRoot()
        }
        let outside = G2Affine(uncheckedX: x, y: y!)
        #expect(!outside.isInSubgroup)
        let text = try String(contentsOfFile: Fixtures.url("snarkjs/verification_key.json").path, encoding: .utf8)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        object["vk_delta_2"] = [[x.c0.decimal, x.c1.decimal], [y!.c0.decimal, y!.c1.decimal], ["1", "0"]]
        let forged = try JSONSerialization.data(withJSONObject: object)
        expectRejected("not in the order-r subgroup") { _ = try SnarkjsJSON.decodeVerifyingKey(Array(forged), file: "vk.json") }
    }

    @Test func jsonInputsAreStrict() throws {
        let r = Fr.modulus.description
        expectRejected("public signal 1") {
            _ = try SnarkjsJSON.decodePublicSignals(Array("[\"1\", \"\(r)\"]".utf8), file: "public.json")
        }
        expectRejected("public signal 0") { _ = try SnarkjsJSON.decodePublicSignals(Array("[\"-1\"]".utf8), file: "public.json") }
        expectRejected("public signal 0 must be a decimal string") { _ = try SnarkjsJSON.decodePublicSignals(Array("[5]".utf8), file: "public.json") }
        expectRejected("not valid JSON") { _ = try SnarkjsJSON.decodeProof(Array("{\"pi_a\": [".utf8), file: "proof.json") }
        expectRejected("missing \"pi_c\"") {
            let text = try String(contentsOfFile: Fixtures.url("snarkjs/proof.json").path, encoding: .utf8)
            var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            object["pi_c"] = nil
            _ = try SnarkjsJSON.decodeProof(Array(try JSONSerialization.data(withJSONObject: object)), file: "proof.json")
        }
        expectRejected("256 bytes") { _ = try ProofBytes.decode([UInt8](repeating: 0, count: 255), file: "proof.bin") }
    }
}
