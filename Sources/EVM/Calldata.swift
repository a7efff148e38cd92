import Algebra
import BigNum
import Formats
import Groth16

/// A proof and its public signals as a call to a snarkjs-interface verifier.
public enum VerifierCalldata {
    /// The ABI-encoded call: selector, A, B (EIP-197 order: x.c1, x.c0, y.c1, y.c0), C, then each signal.
    public static func encode(_ proof: Proof, signals: [Fr]) -> [UInt8] {
        Keccak256.selector(VerifierContract.signature(signalCount: signals.count)) + ProofBytes.encode(proof) + signals.flatMap(\.bigEndianBytes)
    }

    /// snarkjs's `zkey export soliditycalldata` text: the four arguments as quoted, 0x-prefixed 64-digit words.
    public static func snarkjsText(_ proof: Proof, signals: [Fr]) -> String {
        let (word, inputs) = quotedWords(proof, signals: signals)
        return "[\(word[0]), \(word[1])],[[\(word[2]), \(word[3])],[\(word[4]), \(word[5])]],[\(word[6]), \(word[7])],[\(inputs.joined(separator: ","))]"
    }

    /// The same arguments as JSON: `{"pA": [..], "pB": [[..], [..]], "pC": [..], "pubSignals": [..], "calldata": "0x.."}`.
    public static func json(_ proof: Proof, signals: [Fr]) -> String {
        let (word, inputs) = quotedWords(proof, signals: signals)
        return """
            {"pA": [\(word[0]), \(word[1])], "pB": [[\(word[2]), \(word[3])], [\(word[4]), \(word[5])]], \
            "pC": [\(word[6]), \(word[7])], "pubSignals": [\(inputs.joined(separator: ", "))], "calldata": "\(hex(encode(proof, signals: signals)))"}
            """
    }

    public static func hex(_ bytes: [UInt8]) -> String { "0x" + Hex.encode(bytes) }
    static func quoted(_ bytes: [UInt8]) -> String { "\"\(hex(bytes))\"" }

    /// The proof's eight calldata words and the signals, each quoted 0x-hex.
    static func quotedWords(_ proof: Proof, signals: [Fr]) -> (proof: [String], signals: [String]) {
        let bytes = ProofBytes.encode(proof)
        return (stride(from: 0, to: 256, by: 32).map { quoted(Array(bytes[$0..<($0 + 32)])) }, signals.map { quoted($0.bigEndianBytes) })
    }
}

/// The verifier's ABI (the one function, as solc writes it for snarkjs's template).
public enum VerifierABI {
    public static func json(signalCount: Int) -> String {
        func input(_ name: String, _ type: String) -> String {
            "{\"internalType\": \"\(type)\", \"name\": \"\(name)\", \"type\": \"\(type)\"}"
        }
        return """
            [
              {
                "inputs": [\(input("_pA", "uint256[2]")), \(input("_pB", "uint256[2][2]")), \(input("_pC", "uint256[2]")), \
            \(input("_pubSignals", "uint256[\(signalCount)]"))],
                "name": "verifyProof",
                "outputs": [{"internalType": "bool", "name": "", "type": "bool"}],
                "stateMutability": "view",
                "type": "function"
              }
            ]

            """
    }
}
