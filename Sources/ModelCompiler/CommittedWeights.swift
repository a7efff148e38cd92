import Algebra
import Gadgets

/// How the model's weights enter the circuit.
public enum WeightVisibility: String, Sendable, Hashable, Codable, CaseIterable {
    /// Circuit constants: cheapest; the verifying key binds the model.
    case fixed
    /// Private witness bound to a public Poseidon commitment: the circuit depends only on the architecture,
    /// so retrained weights of the same shape reuse the keys.
    case hashed
    /// Private and unbound: anyone can prove any output. For benchmarks only.
    case `private`
}

/// Which weight and input each term of a linear layer multiplies: parameters are the layer's weights in
/// their IR layout (row-major [out, in] or [out, in, kh, kw]) followed by its biases.
public struct LinearStructure: Sendable, Hashable, Codable {
    public struct Term: Sendable, Hashable, Codable {
        public var input: Int
        public var parameter: Int
    }

    public var rows: [[Term]]
    /// The bias parameter of each row.
    public var bias: [Int]
    public var parameterCount: Int
    /// How many leading parameters are weights (the rest are biases).
    public var weightCount: Int

    /// The structure and float parameters of a Dense, Conv2D or BatchNorm node (missing biases become zeros).
    static func of(_ operation: NodeOperation, inputShape: [Int]) -> (LinearStructure, [Double])? {
        switch operation {
        case let .dense(weight, bias):
            let inputs = weight.shape[1]
            let rows = (0..<weight.shape[0]).map { i in (0..<inputs).map { Term(input: $0, parameter: i * inputs + $0) } }
            let biases = bias?.values ?? Array(repeating: 0, count: weight.shape[0])
            return (LinearStructure(rows: rows, bias: rows.indices.map { weight.values.count + $0 }, parameterCount: weight.values.count + biases.count,
                                    weightCount: weight.values.count), weight.values + biases)
        case let .conv2d(weight, bias, geometry):
            let (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
            let (outputs, kh, kw) = (weight.shape[0], geometry.kernel[0], geometry.kernel[1])
            let size = geometry.outputSize(height: height, width: width)!
            var rows: [[Term]] = []
            var biasIndex: [Int] = []
            for o in 0..<outputs {
                for y in 0..<size.height {
                    for x in 0..<size.width {
                        let window = geometry.window(row: y, column: x, height: height, width: width)
                        var row: [Term] = []
                        for c in 0..<channels {
                            for (iy, ix) in window {
                                let dy = iy - (y * geometry.strides[0] - geometry.pads[0])
                                let dx = ix - (x * geometry.strides[1] - geometry.pads[1])
                                row.append(Term(input: (c * height + iy) * width + ix, parameter: ((o * channels + c) * kh + dy) * kw + dx))
                            }
                        }
                        rows.append(row)
                        biasIndex.append(weight.values.count + o)
                    }
                }
            }
            let biases = bias?.values ?? Array(repeating: 0, count: outputs)
            return (LinearStructure(rows: rows, bias: biasIndex, parameterCount: weight.values.count + outputs, weightCount: weight.values.count),
                    weight.values + biases)
        case let .batchNorm(scale, bias, mean, variance, epsilon):
            let channels = inputShape[0]
            let count = inputShape.reduce(1, *)
            let perChannel = count / channels
            let factors = zip(scale, variance).map { $0 / ($1 + epsilon).squareRoot() }
            let shifts = (0..<channels).map { bias[$0] - mean[$0] * factors[$0] }
            let rows = (0..<count).map { [Term(input: $0, parameter: $0 / perChannel)] }
            return (LinearStructure(rows: rows, bias: (0..<count).map { channels + $0 / perChannel }, parameterCount: 2 * channels,
                                    weightCount: channels), factors + shifts)
        default:
            return nil
        }
    }

    /// The parameters with a batch normalisation that follows the layer folded in. Every layer kind keeps its weights
    /// grouped by output channel, then one bias per channel, so one rule covers Dense, Conv2D and BatchNorm.
    func foldingBatchNorm(_ norm: NodeOperation, into parameters: [Double]) -> [Double] {
        guard case let .batchNorm(scale, bias, mean, variance, epsilon) = norm else { return parameters }
        let channels = parameterCount - weightCount
        let perChannel = weightCount / channels
        var folded = parameters
        for c in 0..<channels {
            let factor = scale[c] / (variance[c] + epsilon).squareRoot()
            for i in (c * perChannel)..<((c + 1) * perChannel) { folded[i] *= factor }
            folded[weightCount + c] = (parameters[weightCount + c] - mean[c]) * factor + bias[c]
        }
        return folded
    }

    /// The linear map these parameters give.
    public func map<W>(_ parameters: [W]) -> LinearMap<W> {
        LinearMap(rows: rows.map { $0.map { .init(index: $0.input, weight: parameters[$0.parameter]) } }, bias: bias.map { parameters[$0] })
    }
}

/// The public commitment to a model's quantized parameters, recomputable by anyone:
///
/// 1. List every committed layer's quantized parameters in layer order; within a layer, the weights in the IR's
///    row-major layout ([out, in] for Dense, [out, in, kh, kw] for Conv2D, per-channel factors for a standalone
///    BatchNorm) then the biases (one per output channel). Batch normalisations are folded first.
/// 2. Encode each signed integer v as the field element v mod r (so −1 is r − 1).
/// 3. h₀ = Poseidon([n]) with n the number of parameters; then, for each chunk of up to 11 consecutive
///    parameters, hₖ₊₁ = Poseidon([hₖ, p₁, ..., p_m]) (circomlib's Poseidon with m + 1 inputs).
/// 4. The commitment is the last h.
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
