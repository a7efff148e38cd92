import Formats
import Foundation
import Testing
import TestSupport

/// The metadata rules of snarkjs's JSON files: each refusal names the file and the field.
@Suite struct StrictMetadataTests {
    static func object(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Fixtures.url("snarkjs/\(name)"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func bytes(_ object: [String: Any]) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: object)) }

    func expectRefused(_ fragment: String, key: Bool, sourceLocation: SourceLocation = #_sourceLocation, _ edit: (inout [String: Any]) -> Void) throws {
        var object = try Self.object(key ? "verification_key.json" : "proof.json")
        edit(&object)
        let file = key ? "vk.json" : "proof.json"
        do {
            if key { _ = try SnarkjsJSON.decodeVerifyingKey(Self.bytes(object), file: file) }
            else { _ = try SnarkjsJSON.decodeProof(Self.bytes(object), file: file) }
            Issue.record("accepted; expected a refusal containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch let error as FormatError {
            #expect(error.file == file && error.problem.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func proofMetadata() throws {
        try expectRefused("protocol is \"plonk\", expected \"groth16\"", key: false) { $0["protocol"] = "plonk" }
        try expectRefused("\"curve\" must be a string", key: false) { $0["curve"] = [Any]() }
        try expectRefused("curve is \"bls12381\"", key: false) { $0["curve"] = "bls12381" }
        // A proof may omit both (snarkjs's verifier reads neither); the fixture without them still decodes.
        var bare = try Self.object("proof.json")
        bare["protocol"] = nil
        bare["curve"] = nil
        _ = try SnarkjsJSON.decodeProof(Self.bytes(bare), file: "proof.json")
    }

    @Test func verificationKeyMetadata() throws {
        try expectRefused("missing \"protocol\"", key: true) { $0["protocol"] = nil }
        try expectRefused("missing \"curve\"", key: true) { $0["curve"] = nil }
        try expectRefused("protocol is \"plonk\"", key: true) { $0["protocol"] = "plonk" }
        try expectRefused("missing \"nPublic\"", key: true) { $0["nPublic"] = nil }
        try expectRefused("nPublic does not match IC's", key: true) { $0["nPublic"] = 4 }
        try expectRefused("nPublic does not match IC's", key: true) { $0["nPublic"] = true }
        try expectRefused("nPublic does not match IC's", key: true) { $0["nPublic"] = "3" }
        try expectRefused("nPublic does not match IC's", key: true) { $0["nPublic"] = 3.5 }
        try expectRefused("vk_alphabeta_12 must be 2 x 3 pairs", key: true) { $0["vk_alphabeta_12"] = [["1", "2"]] }
        try expectRefused("vk_alphabeta_12 is not e(vk_alpha_1, vk_beta_2)", key: true) { object in
            var value = object["vk_alphabeta_12"] as! [[[String]]]
            value[1][2][0] = "7"
            object["vk_alphabeta_12"] = value
        }
        // snarkjs's curve aliases, and a key without vk_alphabeta_12 (snarkjs's verifier does not need it).
        for alias in ["bn128", "BN254", "alt_bn128", "altbn128"] {
            var object = try Self.object("verification_key.json")
            object["curve"] = alias
            object["vk_alphabeta_12"] = nil
            _ = try SnarkjsJSON.decodeVerifyingKey(Self.bytes(object), file: "vk.json")
        }
        #expect(!SnarkjsJSON.isBN254CurveName("bls12-381") && !SnarkjsJSON.isBN254CurveName(""))
    }
}
