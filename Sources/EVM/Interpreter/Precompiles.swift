import Algebra
import Curves

/// The precompiled contracts a verifier calls: 0x04 (identity) and BN254's 0x06 (add), 0x07 (scalar
/// multiplication) and 0x08 (pairing check), as EIP-196 and EIP-197 define them, on zkinfer's curve code.
enum Precompiles {
    enum Outcome {
        /// Output and gas used.
        case success([UInt8], Int)
        /// Invalid input or too little gas: the call fails and all the gas it was given is spent.
        case failure
    }

    static let implemented: Set<Int> = [4, 6, 7, 8]
    /// Addresses 1-9 are precompiles on Shanghai (always warm under EIP-2929).
    static func isPrecompile(_ address: Word256) -> Bool {
        address.l1 | address.l2 | address.l3 == 0 && (1...9).contains(address.l0)
    }

    static let names = [1: "ecrecover", 2: "sha256", 3: "ripemd160", 4: "identity", 5: "modexp", 6: "ecAdd",
                        7: "ecMul", 8: "ecPairing", 9: "blake2f"]

    static func run(address: Int, input: [UInt8], gas: Int) -> Outcome {
        switch address {
        case 4:
            let cost = GasSchedule.identityBase + GasSchedule.identityWord * GasSchedule.words(input.count)
            return cost <= gas ? .success(input, cost) : .failure
        case 6:
            guard GasSchedule.ecAdd <= gas,
                  let p = g1(padded(input, to: 128), at: 0), let q = g1(padded(input, to: 128), at: 64) else { return .failure }
            return .success((p.jacobian + q.jacobian).affine.ethereumBytes, GasSchedule.ecAdd)
        case 7:
            let bytes = padded(input, to: 96)
            guard GasSchedule.ecMul <= gas, let p = g1(bytes, at: 0) else { return .failure }
            // G1 has prime order r, so the full 256-bit scalar can be used as it is.
            let scalar = Word256(bigEndian: bytes[64..<96])
            return .success(p.jacobian.multiplied(byLimbs: scalar.limbs).affine.ethereumBytes, GasSchedule.ecMul)
        case 8:
            let cost = GasSchedule.pairingBase + GasSchedule.pairingPerPair * (input.count / 192)
            guard cost <= gas, input.count % 192 == 0 else { return .failure }
            var pairs: [(G1Affine, G2Affine)] = []
            for start in stride(from: 0, to: input.count, by: 192) {
                guard let p = g1(input, at: start),
                      let q = try? G2Affine(ethereumBytes: input[(start + 64)..<(start + 192)]) else { return .failure }
                pairs.append((p, q))
            }
            let holds = BN254Pairing.pairingCheck(pairs)
            return .success(Word256(holds ? 1 : 0).bigEndianBytes, cost)
        default:
            preconditionFailure("precompile \(address) is not implemented")
        }
    }

    /// A G1 point from 64 bytes at `offset`: coordinates below p, on the curve, or (0, 0) for infinity.
    private static func g1(_ bytes: [UInt8], at offset: Int) -> G1Affine? {
        try? G1Affine(ethereumBytes: bytes[offset..<(offset + 64)])
    }

    /// Input shorter than a precompile reads is right-padded with zeros; longer input is ignored past it.
    private static func padded(_ input: [UInt8], to count: Int) -> [UInt8] {
        input.count >= count ? Array(input.prefix(count)) : input + [UInt8](repeating: 0, count: count - input.count)
    }
}
