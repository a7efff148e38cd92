import Algebra
import BigNum
import Curves
import Groth16

/// A Groth16 verifier contract for one verification key, generated as EVM bytecode by `EVMAssembly`.
///
/// Interface (snarkjs's): `verifyProof(uint256[2] _pA, uint256[2][2] _pB, uint256[2] _pC, uint256[N] _pubSignals)
/// view returns (bool)`, pi_b in EIP-197 order. It returns false (never reverts) for a wrong calldata length, a public
/// signal >= r, A.y >= p, a failed precompile call (a point off the curve, a coordinate >= p) or a failed pairing check;
/// it reverts only for another selector or a call carrying value.
public struct VerifierContract: Sendable {
    /// EIP-170's limit on deployed code.
    public static let maximumCodeSize = GasSchedule.maximumCodeSize

    public let key: VerifyingKey
    /// The weight commitment folded into the key, when the contract is bound to one model.
    public let boundCommitment: Fr?

    /// The key as the contract checks it: with a bound commitment, IC0 absorbs `commitment * IC_last` and the
    /// last public signal (the commitment) is no longer passed.
    public let effectiveIC: [G1Affine]

    public var signalCount: Int { effectiveIC.count - 1 }
    public var signature: String { Self.signature(signalCount: signalCount) }

    /// The canonical signature whose Keccak-256 gives the selector, for `count` public signals.
    public static func signature(signalCount count: Int) -> String {
        "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[\(count)])"
    }

    /// 32-byte big-endian words (an EIP-196/197 point encoding) as decimal literals, for the source generators.
    static func decimalWords(_ bytes: [UInt8]) -> [String] {
        stride(from: 0, to: bytes.count, by: 32).map { BigInt(bigEndianBytes: bytes[$0..<($0 + 32)]).description }
    }
    public var selector: [UInt8] { Keccak256.selector(signature) }

    /// - Parameter bindingLastSignal: the value of the last public signal (a weight commitment) to bake in.
    public init(key: VerifyingKey, bindingLastSignal: Fr? = nil) {
        self.key = key
        self.boundCommitment = bindingLastSignal
        if let commitment = bindingLastSignal, key.ic.count >= 2 {
            var ic = key.ic
            let last = ic.removeLast()
            let limbs = commitment.canonical.limbs(count: 4)!
            ic[0] = (ic[0].jacobian + last.jacobian.multiplied(byLimbs: limbs)).affine
            effectiveIC = ic
        } else {
            effectiveIC = key.ic
        }
    }

    // Memory: the pairing input, four (G1, G2) pairs of 192 bytes, at 0x000 ..< 0x300. vk_x accumulates in pair 2's
    // G1 slot (0x180); each term is computed in the slot after it (0x1c0: IC_i, then the scalar at 0x200) and added
    // with one ecAdd over 0x180 ..< 0x200. gamma then overwrites the scratch words.
    static let accumulator = 0x180, term = 0x1c0, scalar = 0x200
    static let signalsOffset = 4 + 8 * 32

    public var calldataSize: Int { Self.signalsOffset + 32 * signalCount }

    /// The runtime code and its assembly listing.
    public func runtime() -> (code: [UInt8], listing: String) {
        let unrolled = runtime(unrolled: true)
        return unrolled.code.count <= Self.maximumCodeSize ? unrolled : runtime(unrolled: false)
    }

    func runtime(unrolled: Bool) -> (code: [UInt8], listing: String) {
        let q = Fq.modulus, r = Fr.modulus
        var asm = EVMAssembly()
        asm.comment("Groth16 verifier, \(signalCount) public signals: \(signature)")
        asm.push(0); asm.op(.callDataLoad); asm.push(0xe0); asm.op(.shr)
        asm.push(bytes: selector); asm.op(.eq); asm.push(label: "verify"); asm.op(.jumpi)
        asm.label("reject")
        asm.push(0); asm.op(.dup1, .revert)
        asm.label("verify")
        asm.op(.callValue); asm.push(label: "reject"); asm.op(.jumpi)
        asm.op(.callDataSize); asm.push(calldataSize); asm.op(.eq); asm.push(label: "length_ok"); asm.op(.jumpi)
        asm.comment("wrong calldata length: false (memory word 0 is still zero)")
        asm.push(32); asm.push(0); asm.op(.return)
        asm.label("length_ok")
        asm.comment("stack: [r, ok]; ok is and-ed with every check")
        asm.push(r); asm.push(1)
        asm.comment("vk_x = IC0 + sum s_i IC_i, each term by ecMul (0x07) and ecAdd (0x06)")
        asm.push(BigInt(bigEndianBytes: effectiveIC[0].ethereumBytes.prefix(32))); asm.push(Self.accumulator); asm.op(.mstore)
        asm.push(BigInt(bigEndianBytes: effectiveIC[0].ethereumBytes.suffix(32))); asm.push(Self.accumulator + 32); asm.op(.mstore)
        func accumulate() {
            asm.op(.dup1); asm.push(Self.scalar); asm.op(.mstore)
            asm.comment("ok &= s < r")
            asm.op(.dup3, .gt, .and)
        }
        func multiplyAndAdd(andInto: () -> Void) {
            asm.push(0x40); asm.push(Self.term); asm.push(0x60); asm.push(Self.term); asm.push(7); asm.op(.gas, .staticCall); andInto()
            asm.push(0x40); asm.push(Self.accumulator); asm.push(0x80); asm.push(Self.accumulator); asm.push(6); asm.op(.gas, .staticCall); andInto()
        }
        if unrolled {
            for (index, point) in effectiveIC.dropFirst().enumerated() {
                let bytes = point.ethereumBytes
                asm.comment("signal \(index)")
                asm.push(BigInt(bigEndianBytes: bytes.prefix(32))); asm.push(Self.term); asm.op(.mstore)
                asm.push(BigInt(bigEndianBytes: bytes.suffix(32))); asm.push(Self.term + 32); asm.op(.mstore)
                asm.push(Self.signalsOffset + 32 * index); asm.op(.callDataLoad)
                accumulate()
                multiplyAndAdd { asm.op(.and) }
            }
        } else if signalCount > 0 {
            asm.comment("stack: [r, ok, i]; IC_1 ... IC_N are read from the data block `ic`")
            asm.push(0)
            asm.label("signal_loop")
            asm.push(0x40); asm.op(.dup2); asm.push(6); asm.op(.shl); asm.push(label: "ic"); asm.op(.add); asm.push(Self.term); asm.op(.codeCopy)
            asm.op(.dup1); asm.push(5); asm.op(.shl); asm.push(Self.signalsOffset); asm.op(.add, .callDataLoad)
            asm.op(.dup1); asm.push(Self.scalar); asm.op(.mstore)
            asm.op(.dup4, .gt, .swap1, .swap2, .and, .swap1)
            multiplyAndAdd { asm.op(.swap1, .swap2, .and, .swap1) }
            asm.push(1); asm.op(.add, .dup1); asm.push(signalCount); asm.op(.gt); asm.push(label: "signal_loop"); asm.op(.jumpi)
            asm.op(.pop)
        }
        asm.comment("-A = (A.x, (q - A.y) mod q) at 0x000; ok &= A.y < q (the other coordinates are checked by the precompiles)")
        asm.push(4); asm.op(.callDataLoad); asm.push(0); asm.op(.mstore)
        asm.push(36); asm.op(.callDataLoad)
        asm.op(.dup1); asm.push(q); asm.op(.gt, .swap1, .swap2, .and, .swap1)
        asm.push(q); asm.op(.swap1); asm.push(q); asm.op(.sub, .mod); asm.push(0x20); asm.op(.mstore)
        asm.comment("B at 0x040, alpha and beta at 0x0c0, gamma at 0x1c0, C at 0x240, delta at 0x280")
        asm.push(0x80); asm.push(68); asm.push(0x40); asm.op(.callDataCopy)
        asm.push(0xc0); asm.push(label: "alpha_beta"); asm.push(0xc0); asm.op(.codeCopy)
        asm.push(0x80); asm.push(label: "gamma"); asm.push(0x1c0); asm.op(.codeCopy)
        asm.push(0x40); asm.push(196); asm.push(0x240); asm.op(.callDataCopy)
        asm.push(0x80); asm.push(label: "delta"); asm.push(0x280); asm.op(.codeCopy)
        asm.comment("ecPairing (0x08) over the four pairs; ok &= success && output == 1")
        asm.push(0x20); asm.push(0); asm.push(0x300); asm.push(0); asm.push(8); asm.op(.gas, .staticCall, .and)
        asm.push(0); asm.op(.mload); asm.push(1); asm.op(.eq, .and)
        asm.push(0); asm.op(.mstore); asm.push(32); asm.push(0); asm.op(.return)
        asm.data("alpha_beta", key.alpha1.ethereumBytes + key.beta2.ethereumBytes)
        asm.data("gamma", key.gamma2.ethereumBytes)
        asm.data("delta", key.delta2.ethereumBytes)
        if !unrolled { asm.data("ic", effectiveIC.dropFirst().flatMap(\.ethereumBytes)) }
        return asm.assemble()
    }

    /// Creation code: copies the runtime code (`runtime()` unless given) into memory and returns it.
    public func creation(of runtime: (code: [UInt8], listing: String)? = nil) -> (code: [UInt8], listing: String) {
        let runtime = runtime ?? self.runtime()
        var asm = EVMAssembly()
        asm.comment("constructor: reject value, return the runtime code")
        asm.op(.callValue); asm.push(label: "reject"); asm.op(.jumpi)
        asm.push(runtime.code.count); asm.op(.dup1); asm.push(label: "runtime"); asm.push(0); asm.op(.codeCopy)
        asm.push(0); asm.op(.return)
        asm.label("reject")
        asm.push(0); asm.op(.dup1, .revert)
        asm.data("runtime", runtime.code)
        let creation = asm.assemble()
        return (creation.code, creation.listing + "\n; runtime code\n" + runtime.listing)
    }
}
