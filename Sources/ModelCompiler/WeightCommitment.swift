import Algebra
import Gadgets

/// The public commitment to a model's quantized parameters, recomputable by anyone:
///
/// 1. List every committed parameter tensor in the order the compiler first uses it (`compiled.json` →
///    `model.parameters`), each in row-major order of its ONNX layout; batch normalisations are folded first.
/// 2. Encode each signed integer v as the field element v mod r (so −1 is r − 1).
/// 3. h₀ = Poseidon([n]) with n the number of parameters; then, for each chunk of up to 11 consecutive
///    parameters, hₖ₊₁ = Poseidon([hₖ, p₁, ..., p_m]) (circomlib's Poseidon with m + 1 inputs).
/// 4. The commitment is the last h. A hashed input is committed the same way, over its quantized values.
public enum WeightCommitment {
    public static let chunkSize = 11

    public static func commit(_ parameters: [Int]) -> Fr {
        var digest = Poseidon.hash([Fr(UInt64(parameters.count))])
        var start = 0
        while start < parameters.count {
            let chunk = parameters[start..<min(start + chunkSize, parameters.count)]
            digest = Poseidon.hash([digest] + chunk.map { Fr(signed: $0) })
            start += chunkSize
        }
        return digest
    }
}
