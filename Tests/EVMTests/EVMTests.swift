import Algebra
import BigNum
import Curves
import EVM
import Foundation
import Groth16
import Testing

@Suite struct KeccakTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func knownAnswers() {
        // Ethereum's Keccak-256, not SHA3-256 (whose empty-string digest is a7ffc6f8...). Values from eth-hash 0.7
        // (pycryptodome): python -c "from eth_hash.auto import keccak; print(keccak(b'abc').hex())".
        #expect(hex(Keccak256.hash([])) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // ERC-20's transfer selector.
        #expect(hex(Keccak256.selector("transfer(address,uint256)")) == "a9059cbb")
    }

    @Test func blockBoundaries() {
        // 135, 136 and 137 bytes of "a" straddle the 136-byte rate (the padding byte 0x01 and 0x80 share one byte at
        // 135); 272 is two full blocks. Expected digests from eth-hash as above, keccak(b"a" * n).
        let expected = [
            135: "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446",
            136: "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e",
            137: "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39",
            272: "cf7fcd4f705ee749930d19ca84561a9bf62516bd90a471545fa2f49fdc7e63c8",
        ]
        for (count, digest) in expected {
            #expect(hex(Keccak256.hash([UInt8](repeating: 0x61, count: count))) == digest, "\(count) bytes")
        }
    }

    /// solc placed snarkjs's selector in the compiled fixture verifier: ours must be the same four bytes.
    @Test func selectorMatchesTheSolcCompiledSnarkjsVerifier() throws {
        let path = "../shared/fixtures/snarkjs-pot12-chain/Groth16Verifier.json"
        guard FileManager.default.fileExists(atPath: path) else {
            print("skipped: \(path) is absent (shared fixtures are not beside this clone)")
            return
        }
        let artifact = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let deployed = (artifact["deployedBytecode"] as! String).lowercased()
        let selector = hex(Keccak256.selector("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[1])"))
        #expect(deployed.contains("63" + selector))
    }
}

@Suite struct EVMAssemblerTests {
    @Test func pushesAreMinimalAndLabelsResolve() {
        var asm = EVMAssembly()
        asm.push(0)
        asm.push(255)
        asm.push(256)
        asm.push(label: "end")
        asm.op(.jump)
        asm.label("end")
        asm.op(.stop)
        let (code, listing) = asm.assemble()
        // PUSH1 00, PUSH1 ff, PUSH2 0100, PUSH2 <end>, JUMP, JUMPDEST, STOP; `end` is at offset 11.
        #expect(code == [0x60, 0x00, 0x60, 0xff, 0x61, 0x01, 0x00, 0x61, 0x00, 0x0b, 0x56, 0x5b, 0x00])
        #expect(listing.contains("end:"))
    }

    @Test func verifierCodeSizeAndVariants() {
        let g1 = BN254G1.generator
        let g2 = BN254G2.generator
        for count in [1, 10, 100, 400] {
            let key = VerifyingKey(alpha1: g1, beta2: g2, gamma2: g2, delta2: g2, ic: Array(repeating: g1, count: count + 1))
            let contract = VerifierContract(key: key)
            let runtime = contract.runtime().code
            #expect(runtime.count <= VerifierContract.maximumCodeSize)
            #expect(contract.calldataSize == 4 + 256 + 32 * count)
            // The creation code ends with the runtime code.
            #expect(Array(contract.creation().code.suffix(runtime.count)) == runtime)
        }
    }

    /// Binding folds commitment * IC_last into IC0, so vk_x is unchanged for the same signals.
    @Test func bindingFoldsTheLastSignal() {
        let g1 = BN254G1.generator
        let g2 = BN254G2.generator
        let ic = [g1, (g1.jacobian + g1.jacobian).affine, (g1.jacobian.doubled() + g1.jacobian).affine]
        let key = VerifyingKey(alpha1: g1, beta2: g2, gamma2: g2, delta2: g2, ic: ic)
        let contract = VerifierContract(key: key, bindingLastSignal: Fr(5))
        #expect(contract.signalCount == 1)
        // IC0 + 5 * 3G = 16G.
        #expect(contract.effectiveIC[0] == g1.jacobian.multiplied(byLimbs: [16, 0, 0, 0]).affine)
    }
}
