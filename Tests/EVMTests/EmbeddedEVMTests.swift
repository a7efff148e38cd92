import Algebra
import BigNum
import ConstraintSystem
import Curves
import EVM
import Groth16
import Testing
import TestSupport

/// The embedded EVM's own behaviour. Its agreement with revm (verdicts and gas to the unit, on our bytecode, the
/// compiled Vyper verifier and solc's, and an opcode-by-opcode differential program) is checked in
/// Tests/Interop/evm_verifier.py.
@Suite struct EmbeddedEVMTests {
    /// y = x^2 + 1 with y public: a one-signal circuit and a proof for it.
    static func squareProof() throws -> (VerifyingKey, Proof, [Fr]) {
        var builder = ConstraintSystemBuilder()
        let y = builder.allocate(.publicOutput, value: Fr(10))
        let x = builder.allocate(.privateInput, value: Fr(3))
        builder.enforce(LinearCombination(x), LinearCombination(x), LinearCombination(y) + .constant(-Fr.one))
        let (r1cs, witness) = builder.build()
        var rng = SplitMix64(seed: 13)
        let key = try Groth16.setup(r1cs, using: &rng)
        let proof = try Groth16.prove(key: key, witness: witness!, using: &rng)
        return (key.verifyingKey, proof, [Fr(10)])
    }

    static func word(_ data: [UInt8], _ index: Int) -> Word256 { Word256(bigEndian: data[(4 + 32 * index)..<(36 + 32 * index)]) }

    @Test func generatedVerifierDeploysAndAnswers() throws {
        let (key, proof, signals) = try Self.squareProof()
        let contract = VerifierContract(key: key)
        let evm = EmbeddedEVM(gasLimit: 1_000_000)
        let deployment = try evm.deploy(creationCode: contract.creation().code)
        #expect(deployment.runtimeCode == contract.runtime().code)
        let data = VerifierCalldata.encode(proof, signals: signals)
        let valid = try evm.call(code: deployment.runtimeCode, calldata: data)
        #expect(valid.status == .returned && valid.output == Word256.one.bigEndianBytes)
        #expect(valid.transactionGas == valid.executionGas + GasSchedule.intrinsicCall(data))
        // The EIP-1108 floor for one signal: four pairs, one ecMul and one ecAdd.
        #expect(valid.executionGas > GasSchedule.pairingBase + 4 * GasSchedule.pairingPerPair + GasSchedule.ecMul + GasSchedule.ecAdd)

        var wrongOutput = data
        wrongOutput[data.count - 1] ^= 1
        let rejected = try evm.call(code: deployment.runtimeCode, calldata: wrongOutput)
        #expect(rejected.status == .returned && rejected.output == Word256.zero.bigEndianBytes)

        // A coordinate >= p makes ecMul/ecAdd or the pairing fail: false, and the failed call keeps 1/64 of the gas.
        var offCurve = data
        offCurve.replaceSubrange(4..<36, with: (Self.word(data, 0) &+ Word256(FqParameters.modulus)).bigEndianBytes)
        let failed = try evm.call(code: deployment.runtimeCode, calldata: offCurve)
        #expect(failed.output == Word256.zero.bigEndianBytes)
        #expect(failed.executionGas > valid.executionGas)

        let wrongSelector = try evm.call(code: deployment.runtimeCode, calldata: [0x12, 0x34, 0x56, 0x78] + data.dropFirst(4))
        #expect(wrongSelector.status == .reverted)
        #expect(wrongSelector.transactionGas < valid.transactionGas)
    }

    @Test func precompilesFollowEIP196And197() throws {
        let g = BN254G1.generator, h = BN254G2.generator
        let twice = g.jacobian.doubled().affine
        let evm = EmbeddedEVM()
        // ecAdd(G, G) = 2G, ecMul(G, 2) = 2G, and e(2G, H) e(-G, H)^2 = 1, each through STATICCALL.
        func callPrecompile(_ address: Int, _ input: [UInt8], outSize: Int) throws -> EmbeddedEVM.Execution {
            var asm = EVMAssembly()
            for (index, chunk) in stride(from: 0, to: input.count, by: 32).enumerated() {
                asm.push(bytes: Array(input[chunk..<(chunk + 32)]))
                asm.push(32 * index)
                asm.op(.mstore)
            }
            asm.push(outSize); asm.push(0); asm.push(input.count); asm.push(0); asm.push(address)
            asm.op(.gas, .staticCall)
            asm.push(outSize); asm.op(.mstore)  // the success flag after the output
            asm.push(outSize + 32); asm.push(0); asm.op(.return)
            return try evm.call(code: asm.assemble().code, calldata: [])
        }
        let sum = try callPrecompile(6, g.ethereumBytes + g.ethereumBytes, outSize: 64)
        #expect(Array(sum.output.prefix(64)) == twice.ethereumBytes && sum.output.last == 1)
        let product = try callPrecompile(7, g.ethereumBytes + Word256(2).bigEndianBytes, outSize: 64)
        #expect(Array(product.output.prefix(64)) == twice.ethereumBytes)
        let negated = (-g.jacobian).affine
        let pairing = try callPrecompile(8, twice.ethereumBytes + h.ethereumBytes + negated.ethereumBytes + h.ethereumBytes
                                            + negated.ethereumBytes + h.ethereumBytes, outSize: 32)
        #expect(Array(pairing.output.prefix(32)) == Word256.one.bigEndianBytes && pairing.output.last == 1)
        let unbalanced = try callPrecompile(8, twice.ethereumBytes + h.ethereumBytes, outSize: 32)
        #expect(Array(unbalanced.output.prefix(32)) == Word256.zero.bigEndianBytes && unbalanced.output.last == 1)
        // A point off the curve: the call fails (flag 0) and leaves the output area (holding the input's G) untouched.
        let offCurve = try callPrecompile(6, g.ethereumBytes + Word256(1).bigEndianBytes + Word256(3).bigEndianBytes, outSize: 64)
        #expect(offCurve.output.last == 0 && Array(offCurve.output.prefix(64)) == g.ethereumBytes)
        // Input of a length that is not a multiple of 192 fails the pairing.
        let short = try callPrecompile(8, twice.ethereumBytes + h.ethereumBytes + Word256(0).bigEndianBytes, outSize: 32)
        #expect(short.output.last == 0)
    }

    @Test func haltsAndRefusals() throws {
        let evm = EmbeddedEVM(gasLimit: 100_000)
        // A JUMPDEST byte inside PUSH data is not a jump destination.
        let goodJump = try evm.call(code: [0x60, 0x03, 0x56, 0x5b, 0x00], calldata: [])
        #expect(goodJump.status == .returned && goodJump.executionGas == 3 + 8 + 1)
        let inPush = try evm.call(code: [0x60, 0x04, 0x56, 0x61, 0x5b, 0x00, 0x00], calldata: [])
        guard case .halted = inPush.status else { Issue.record("a jump into PUSH data must halt"); return }
        #expect(inPush.transactionGas == 100_000)
        // Stack underflow, INVALID, an undefined opcode: exceptional halts that spend all the gas.
        for code: [UInt8] in [[0x01], [0xfe], [0x0c]] {
            let result = try evm.call(code: code, calldata: [])
            guard case .halted = result.status else { Issue.record("\(code) must halt"); continue }
            #expect(result.executionGas == 100_000 - GasSchedule.transaction)
        }
        // Memory far out: out of gas, not an allocation.
        let huge = try evm.call(code: [0x60, 0x01, 0x63, 0xff, 0xff, 0xff, 0xff, 0x52], calldata: [])
        #expect(huge.status == .halted("out of gas"))
        // Storage is refused with a clear error, never mis-run.
        #expect(throws: EmbeddedEVM.Failure.self) { try evm.call(code: [0x60, 0x01, 0x60, 0x00, 0x55], calldata: []) }
        // EIP-3541: creation may not deposit code starting with 0xEF.
        #expect(throws: EmbeddedEVM.Failure.self) {
            try evm.deploy(creationCode: [0x60, 0xef, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3])
        }
        #expect(throws: EmbeddedEVM.Failure.self) { try EmbeddedEVM(gasLimit: 20_000).call(code: [0x00], calldata: []) }
    }

    /// Memory costs 3 gas a word plus words^2/512: MSTORE at 0x1000 expands to 129 words.
    @Test func memoryExpansionGas() throws {
        let evm = EmbeddedEVM()
        let result = try evm.call(code: [0x60, 0x01, 0x61, 0x10, 0x00, 0x52, 0x00], calldata: [])
        #expect(result.executionGas == 3 + 3 + 3 + GasSchedule.memory(words: 129))
        #expect(GasSchedule.memory(words: 129) == 3 * 129 + 129 * 129 / 512)
    }

    /// Word arithmetic against GMP on random operands (unsigned forms; the signed ones are checked against revm).
    @Test func wordArithmeticMatchesBigIntegers() {
        var rng = SplitMix64(seed: 21)
        let modulus = BigInt(1) << 256
        func random() -> Word256 {
            let shape = rng.next() % 4
            let w = Word256(rng.next(), rng.next(), rng.next(), rng.next())
            return shape == 0 ? Word256(w.l0 % 300) : shape == 1 ? w.shiftedRight(by: Word256(rng.next() % 256)) : w
        }
        for _ in 0..<2000 {
            let a = random(), b = random(), shift = Word256(rng.next() % 300)
            #expect((a &+ b).bigInt == (a.bigInt + b.bigInt) % modulus)
            #expect((a &* b).bigInt == (a.bigInt * b.bigInt) % modulus)
            #expect((a &- b).bigInt == (a.bigInt - b.bigInt + modulus) % modulus)
            #expect(Word256(bigEndian: a.bigEndianBytes) == a)
            #expect(a.shiftedLeft(by: shift).bigInt == (a.bigInt << (shift.smallValue!)) % modulus)
            #expect(a.shiftedRight(by: shift).bigInt == a.bigInt >> shift.smallValue!)
            #expect((a < b) == (a.bigInt < b.bigInt))
            if !b.isZero {
                #expect(a.divided(by: b, signed: false).bigInt == a.bigInt / b.bigInt)
                #expect(a.remainder(dividingBy: b, signed: false).bigInt == a.bigInt % b.bigInt)
            }
        }
        #expect(Word256.max.shiftedRight(by: Word256(4), arithmetic: true) == .max)
        #expect(Word256(2).divided(by: .max, signed: true) == .max - Word256(1))
    }
}

private extension Word256 {
    static func - (lhs: Word256, rhs: Word256) -> Word256 { lhs &- rhs }
}
