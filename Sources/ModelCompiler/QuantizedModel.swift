import Gadgets
import ModelIR

/// How the compiler turns real numbers into integers.
public struct CompilerSettings: Sendable, Hashable, Codable {
    /// Fractional bits of the inputs and of every activation: a real v is the integer round(v·2^activationScale).
    public var activationScale: Int
    /// Signed bit width of quantized weights; each layer takes the largest weight scale at which its weights fit.
    public var weightBits: Int
    /// Upper limit on a layer's weight scale (fractional bits), so tiny weights do not inflate accumulators.
    public var maximumWeightScale: Int
    /// How rescaling rounds.
    public var rounding: Rounding
    /// Calibrated ranges: a graph tensor whose interval-arithmetic range is wider than this many times the largest
    /// |value| float inference reached on the calibration samples is range-checked to that bound instead. The circuit
    /// stays sound (the check is a constraint), but an input that drives a value past it cannot be proved.
    /// nil: proven ranges only, so every input in the declared ranges proves.
    public var rangeMargin: Double?

    public init(
        activationScale: Int = 7, weightBits: Int = 8, maximumWeightScale: Int = 16, rounding: Rounding = .halfUp, rangeMargin: Double? = nil
    ) {
        self.activationScale = activationScale
        self.weightBits = weightBits
        self.maximumWeightScale = maximumWeightScale
        self.rounding = rounding
        self.rangeMargin = rangeMargin
    }
}

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

/// A tensor the circuit holds as wires: a graph input, a committed parameter or a step's output.
public struct TensorInfo: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable { case input, parameter, computed }

    public var name: String
    public var role: Role
    public var shape: [Int]
    /// Int64 for indices (ArgMax), float for fixed-point values.
    public var elementType: ElementType
    /// Fractional bits: the integer v stands for v / 2^scale.
    public var scale: Int
    /// Every integer an element can take for any input in the proven input ranges (and any parameter in range).
    public var range: ClosedRange<Int>
    /// Bound on |integer / 2^scale − float value| over all inputs in range.
    public var errorBound: Double
    /// The largest |value| in real units, for error bounds (parameters: of the actual values).
    public var magnitude: Double

    public var count: Int { Shape.count(shape) }
}

public struct QuantizedInput: Sendable, Hashable, Codable {
    public var name: String
    public var tensor: Int
    public var shape: [Int]
    public var declaredRange: ClosedRange<Double>
    public var visibility: InputVisibility
}

public struct QuantizedOutput: Sendable, Hashable, Codable {
    /// The graph output's name.
    public var name: String
    public var tensor: Int
    public var shape: [Int]
    public var scale: Int
    /// True for an index (ArgMax) output: integers, not fixed-point values.
    public var isIndex: Bool
    public var errorBound: Double
    /// What the circuit proves for this output, in words, when it is not the graph's tensor itself.
    public var note: String?
    /// The float tensor the proved values approximate (the logits when a final Softmax was dropped).
    public var reference: String
}

/// A committed parameter tensor (hashed or private weights): private wires, range-checked to `bits`.
public struct ParameterTensor: Sendable, Hashable, Codable {
    public var name: String
    public var tensor: Int
    public var values: [Int]
    public var scale: Int
    public var bits: Int
}

/// One circuit step: a primitive whose integer semantics and lowering live in `Steps/`.
public struct Step: Sendable, Hashable, Codable {
    /// The nodes this step implements, joined by "+".
    public var name: String
    /// Their op types, joined by "+".
    public var operations: String
    public var output: Int
    public var kind: StepKind
}

public enum StepKind: Sendable, Hashable, Codable {
    case affine(AffineStep)
    case maximum(MaximumStep)
    case argmax(ArgMaxStep)
    case function(FunctionStep)
    case logarithm(LogarithmStep)
    case sign(SignStep)
    case round(RoundStep)
    case division(DivisionStep)
    case modulo(ModuloStep)
    case squareRoot(SquareRootStep)
    case oneHot(OneHotStep)
    case comparison(ComparisonStep)
}

/// A model with integer weights, explicit scales, proven value ranges and error bounds.
public struct QuantizedModel: Sendable, Hashable, Codable {
    public var name: String
    public var settings: CompilerSettings
    public var weightVisibility: WeightVisibility
    public var tensors: [TensorInfo]
    public var inputs: [QuantizedInput]
    public var parameters: [ParameterTensor]
    public var steps: [Step]
    public var outputs: [QuantizedOutput]
    /// With calibrated ranges: a quantized calibration sample, which every calibrated range admits.
    public var sampleInputs: [[Int]]?

    /// Every committed parameter in the order `WeightCommitment` hashes them.
    public var committedParameters: [Int] { parameters.flatMap(\.values) }
    public var inputCount: Int { inputs.reduce(0) { $0 + Shape.count($1.shape) } }
    public var outputCount: Int { outputs.reduce(0) { $0 + Shape.count($1.shape) } }

    /// Quantizes one value per input (each flat, row-major); values outside the declared range are an error.
    public func quantizeInputs(_ values: [[Double]]) throws(ModelError) -> [[Int]] {
        guard values.count == inputs.count else {
            throw ModelError("the model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))), \(values.count) given")
        }
        var result: [[Int]] = []
        for (input, flat) in zip(inputs, values) {
            let count = Shape.count(input.shape)
            guard flat.count == count else {
                throw ModelError("input '\(input.name)' has \(flat.count) values, the model expects \(count) (shape \(input.shape))")
            }
            let unit = Double(1 << tensors[input.tensor].scale)
            let proven = tensors[input.tensor].range
            var integers: [Int] = []
            integers.reserveCapacity(count)
            for (index, value) in flat.enumerated() {
                // Anything the circuit's range check admits is sound and within the error bounds, which hold over the
                // whole proven range (the declared range widened to a power-of-two span).
                let scaled = (value * unit).rounded()
                guard value.isFinite, scaled >= Double(proven.lowerBound), scaled <= Double(proven.upperBound) else {
                    let high = Double(proven.upperBound) / unit
                    throw ModelError("input '\(input.name)' value \(value) at index \(index) is outside its range \(input.declaredRange) (the circuit proves \(Double(proven.lowerBound) / unit)...\(high))")
                }
                integers.append(Int(scaled))
            }
            result.append(integers)
        }
        return result
    }

    /// The proved integers of each output as reals (indices stay integers).
    public func decode(_ output: QuantizedOutput, _ integers: [Int]) -> [Double] {
        output.isIndex ? integers.map(Double.init) : integers.map { Double($0) / Double(1 << output.scale) }
    }

    /// The model with every parameter value zeroed: two models with equal structure prove with the same circuit.
    var structure: QuantizedModel {
        var copy = self
        copy.name = ""
        for index in copy.parameters.indices { copy.parameters[index].values = copy.parameters[index].values.map { _ in 0 } }
        for index in copy.tensors.indices { copy.tensors[index].errorBound = 0; copy.tensors[index].magnitude = 0 }
        for index in copy.outputs.indices { copy.outputs[index].errorBound = 0 }
        copy.sampleInputs = nil
        return copy
    }
}

extension QuantizedModel {
    /// Inputs the circuit accepts, for cost reports and setup: every input at the bottom of its proven range, or with
    /// calibrated ranges (which that input may exceed) a calibration sample.
    public var layoutInputs: [[Int]] {
        sampleInputs ?? inputs.map { Array(repeating: tensors[$0.tensor].range.lowerBound, count: Shape.count($0.shape)) }
    }
}
