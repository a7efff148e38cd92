import Algebra
import Curves
import Foundation
import Groth16

/// A JSON value written with snarkjs's key order and one-space indentation.
indirect enum JSONValue {
    case string(String)
    case number(Int)
    case array([JSONValue])
    case object([(String, JSONValue)])

    func render(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 1)
        let closing = String(repeating: " ", count: indent)
        switch self {
        case let .string(text): return "\"\(text)\""
        case let .number(value): return String(value)
        case let .array(items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n\(closing)]"
        case let .object(fields):
            return "{\n" + fields.map { "\(pad)\"\($0.0)\": \($0.1.render(indent: indent + 1))" }.joined(separator: ",\n") + "\n\(closing)}"
        }
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
    static func g1(_ point: G1Affine) -> JSONValue { strings(point.snarkjs) }
    static func g2(_ point: G2Affine) -> JSONValue { .array(point.snarkjs.map { strings($0) }) }
}

/// snarkjs's JSON files: `proof.json`, `public.json`, `verification_key.json`.
public enum SnarkjsJSON {
    static func parse(_ bytes: [UInt8], file: String) throws(FormatError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw FormatError(file: file, problem: "is not valid JSON")
        }
    }

    static func field<T>(_ object: [String: Any], _ key: String, as type: T.Type, file: String) throws(FormatError) -> T {
        guard let raw = object[key] else { throw FormatError(file: file, problem: "missing \"\(key)\"") }
        guard let value = raw as? T else { throw FormatError(file: file, problem: "\"\(key)\" has the wrong type") }
        return value
    }

    static func g1(_ raw: Any, _ name: String, file: String) throws(FormatError) -> G1Affine {
        guard let strings = raw as? [String] else { throw FormatError(file: file, problem: "\(name) must be an array of 3 decimal strings") }
        do { return try G1Affine(snarkjs: strings) } catch { throw FormatError(file: file, problem: "\(name): \(error)") }
    }

    static func g2(_ raw: Any, _ name: String, file: String) throws(FormatError) -> G2Affine {
        guard let strings = raw as? [[String]] else { throw FormatError(file: file, problem: "\(name) must be 3 pairs of decimal strings") }
        do { return try G2Affine(snarkjs: strings) } catch { throw FormatError(file: file, problem: "\(name): \(error)") }
    }

    /// The curve names snarkjs's `getCurveFromName` maps to BN254: upper-cased, non-alphanumerics dropped,
    /// one of BN128, BN254 or ALTBN128 (so "bn128", "bn254", "alt_bn128" and "BN-254" all qualify).
    public static func isBN254CurveName(_ name: String) -> Bool {
        let normalized = String(name.uppercased().unicodeScalars.filter { ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
        return ["BN128", "BN254", "ALTBN128"].contains(normalized)
    }

    /// `protocol` must be "groth16" and `curve` a BN254 name. A verification key must carry both (snarkjs chooses
    /// its verifier and curve from them); a proof may leave them out, but a value that is there must be right.
    static func checkProtocol(_ object: [String: Any], file: String, required: Bool) throws(FormatError) {
        for (key, isValid, expected) in [("protocol", { $0 == "groth16" }, "\"groth16\""),
                                         ("curve", isBN254CurveName, "\"bn128\" (or bn254, alt_bn128)")] as [(String, (String) -> Bool, String)] {
            guard let raw = object[key] else {
                if required { throw FormatError(file: file, problem: "missing \"\(key)\" (expected \(expected))") }
                continue
            }
            guard let value = raw as? String else { throw FormatError(file: file, problem: "\"\(key)\" must be a string, expected \(expected)") }
            guard isValid(value) else { throw FormatError(file: file, problem: "\(key) is \"\(value)\", expected \(expected)") }
        }
    }

    /// A JSON integer: not a boolean (an NSNumber of type "c") and not a fraction ("d"), even one equal to an integer.
    static func integer(_ raw: Any) -> Int? {
        guard let number = raw as? NSNumber, ["i", "l", "q", "s", "I", "L", "Q", "S"].contains(String(cString: number.objCType)) else {
            return nil
        }
        return number.intValue
    }

    // MARK: proof.json

    public static func decodeProof(_ bytes: [UInt8], file: String) throws(FormatError) -> Proof {
        guard let object = try parse(bytes, file: file) as? [String: Any] else {
            throw FormatError(file: file, problem: "a proof must be a JSON object")
        }
        try checkProtocol(object, file: file, required: false)
        return Proof(
            a: try g1(try field(object, "pi_a", as: Any.self, file: file), "pi_a", file: file),
            b: try g2(try field(object, "pi_b", as: Any.self, file: file), "pi_b", file: file),
            c: try g1(try field(object, "pi_c", as: Any.self, file: file), "pi_c", file: file))
    }

    public static func encodeProof(_ proof: Proof) -> String {
        JSONValue.object([
            ("pi_a", .g1(proof.a)), ("pi_b", .g2(proof.b)), ("pi_c", .g1(proof.c)),
            ("protocol", .string("groth16")), ("curve", .string("bn128")),
        ]).render() + "\n"
    }

    // MARK: public.json

    /// Public signals as decimal strings; each must be a canonical value below r (never reduced).
    public static func decodePublicSignals(_ bytes: [UInt8], file: String) throws(FormatError) -> [Fr] {
        guard let array = try parse(bytes, file: file) as? [Any] else {
            throw FormatError(file: file, problem: "public signals must be a JSON array of decimal strings")
        }
        return try array.enumerated().map { (index: Int, raw: Any) throws(FormatError) -> Fr in
            guard let text = raw as? String else {
                throw FormatError(file: file, problem: "public signal \(index) must be a decimal string")
            }
            do { return try Fr(decimal: text) } catch {
                throw FormatError(file: file, problem: "public signal \(index): \(error) (values must be below r = \(Fr.modulus))")
            }
        }
    }

    public static func encodePublicSignals(_ signals: [Fr]) -> String {
        JSONValue.strings(signals.map(\.decimal)).render() + "\n"
    }

    // MARK: verification_key.json

    public static func decodeVerifyingKey(_ bytes: [UInt8], file: String) throws(FormatError) -> VerifyingKey {
        guard let object = try parse(bytes, file: file) as? [String: Any] else {
            throw FormatError(file: file, problem: "a verification key must be a JSON object")
        }
        try checkProtocol(object, file: file, required: true)
        let ic = try field(object, "IC", as: [Any].self, file: file)
        guard !ic.isEmpty else { throw FormatError(file: file, problem: "IC is empty") }
        guard let count = object["nPublic"] else {
            throw FormatError(file: file, problem: "missing \"nPublic\" (IC's \(ic.count) points mean \(ic.count - 1) public signals)")
        }
        guard let number = integer(count), number == ic.count - 1 else {
            throw FormatError(file: file, problem: "nPublic does not match IC's \(ic.count) points (expected \(ic.count - 1))")
        }
        let icPoints = try ic.enumerated().map { (index: Int, raw: Any) throws(FormatError) -> G1Affine in
            try g1(raw, "IC[\(index)]", file: file)
        }
        let key = VerifyingKey(
            alpha1: try g1(try field(object, "vk_alpha_1", as: Any.self, file: file), "vk_alpha_1", file: file),
            beta2: try g2(try field(object, "vk_beta_2", as: Any.self, file: file), "vk_beta_2", file: file),
            gamma2: try g2(try field(object, "vk_gamma_2", as: Any.self, file: file), "vk_gamma_2", file: file),
            delta2: try g2(try field(object, "vk_delta_2", as: Any.self, file: file), "vk_delta_2", file: file),
            ic: icPoints)
        // snarkjs writes e(alpha, beta) for verifiers that skip the pairing: when present it must be exactly that.
        if let raw = object["vk_alphabeta_12"] {
            guard let halves = raw as? [[[String]]], halves.count == 2, halves.allSatisfy({ $0.count == 3 && $0.allSatisfy { $0.count == 2 } }) else {
                throw FormatError(file: file, problem: "vk_alphabeta_12 must be 2 x 3 pairs of decimal strings (an Fq12 element)")
            }
            let written: [Fq]
            do { written = try halves.flatMap { $0.flatMap { $0 } }.map { (text: String) throws(FieldEncodingError) -> Fq in try Fq(decimal: text) } }
            catch { throw FormatError(file: file, problem: "vk_alphabeta_12: \(error)") }
            let expected = key.alphaBeta
            let actual = [expected.c0.c0, expected.c0.c1, expected.c0.c2, expected.c1.c0, expected.c1.c1, expected.c1.c2].flatMap { [$0.c0, $0.c1] }
            guard written == actual else { throw FormatError(file: file, problem: "vk_alphabeta_12 is not e(vk_alpha_1, vk_beta_2)") }
        }
        return key
    }

    public static func encodeVerifyingKey(_ key: VerifyingKey) -> String {
        let alphaBeta = key.alphaBeta
        func fq6(_ value: Fq6) -> JSONValue {
            .array([value.c0, value.c1, value.c2].map { JSONValue.strings([$0.c0.decimal, $0.c1.decimal]) })
        }
        return JSONValue.object([
            ("protocol", .string("groth16")), ("curve", .string("bn128")), ("nPublic", .number(key.publicCount)),
            ("vk_alpha_1", .g1(key.alpha1)), ("vk_beta_2", .g2(key.beta2)), ("vk_gamma_2", .g2(key.gamma2)),
            ("vk_delta_2", .g2(key.delta2)), ("vk_alphabeta_12", .array([fq6(alphaBeta.c0), fq6(alphaBeta.c1)])),
            ("IC", .array(key.ic.map { .g1($0) })),
        ]).render() + "\n"
    }
}

/// The 256-byte proof in Ethereum calldata order: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y,
/// 32-byte big-endian words (the layout groth16py returns and EIP-197 expects).
public enum ProofBytes {
    public static func decode(_ bytes: [UInt8], file: String) throws(FormatError) -> Proof {
        guard bytes.count == 256 else { throw FormatError(file: file, problem: "a binary proof is 256 bytes, this one has \(bytes.count)") }
        do {
            return Proof(a: try G1Affine(ethereumBytes: bytes[0..<64]), b: try G2Affine(ethereumBytes: bytes[64..<192]),
                         c: try G1Affine(ethereumBytes: bytes[192..<256]))
        } catch {
            throw FormatError(file: file, problem: "\(error)")
        }
    }

    public static func encode(_ proof: Proof) -> [UInt8] {
        proof.a.ethereumBytes + proof.b.ethereumBytes + proof.c.ethereumBytes
    }
}
