import Foundation
import Gadgets

/// How the compiler turns real numbers into integers.
public struct CompilerSettings: Sendable, Hashable, Codable {
    /// Fractional bits of the input and of every activation: a real v is the integer round(v·2^activationScale).
    public var activationScale: Int
    /// Signed bit width of quantized weights; each layer takes the largest weight scale at which its weights fit.
    public var weightBits: Int
    /// Upper limit on a layer's weight scale (fractional bits), so tiny weights do not inflate accumulators.
    public var maximumWeightScale: Int
    /// How rescaling and average pooling round.
    public var rounding: Rounding

    public init(activationScale: Int = 7, weightBits: Int = 8, maximumWeightScale: Int = 16, rounding: Rounding = .halfUp) {
        self.activationScale = activationScale
        self.weightBits = weightBits
        self.maximumWeightScale = maximumWeightScale
        self.rounding = rounding
    }
}

/// Sigmoid and Tanh, with the sampling their tables use.
public enum ActivationFunction: String, Sendable, Hashable, Codable {
    case sigmoid, tanh

    public func callAsFunction(_ x: Double) -> Double {
        self == .sigmoid ? 1 / (1 + exp(-x)) : Foundation.tanh(x)
    }

    /// |f(a) − f(b)| ≤ lipschitz·|a − b|.
    public var lipschitz: Double { self == .sigmoid ? 0.25 : 1 }
    /// The table covers [−range, range]; beyond it the output is clamped to the end values.
    public var range: Double { self == .sigmoid ? 8 : 4 }
    /// Breakpoint spacing (real units) when the input scale allows it.
    public var spacing: Double { self == .sigmoid ? 0.5 : 0.25 }
}

/// One step of the quantized model: a node, or a linear node with the batch normalisations and ReLU after it fused in.
public struct QuantizedLayer: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// output = rescale(W·x + b, shift), then ReLU when `relu`; the quotient is range-checked to `quotientBits`.
        case linear(LinearMap<Int>, weightScale: Int, shift: Int, quotientBits: Int, relu: Bool)
        /// A linear layer whose parameters are private witness values (range-checked to `weightBits` and `biasBits`)
        /// rather than constants; its ranges hold for every parameter in range, so new weights reuse the circuit.
        case committedLinear(LinearStructure, parameters: [Int], weightScale: Int, weightBits: Int, biasBits: Int,
                             shift: Int, quotientBits: Int, relu: Bool)
        case relu(bits: Int)
        case maxPool(windows: [[Int]], differenceBits: Int)
        case averagePool(windows: [[Int]], divisors: [Int], quotientBits: Int)
        case reshape
        /// leftMultiplier·a + rightMultiplier·b, aligning the two scales.
        case add(leftMultiplier: Int, rightMultiplier: Int)
        case activation(ActivationFunction, table: PiecewiseLinearTable, inputBits: Int, outputBits: Int)
        case argmax(differenceBits: Int)
    }

    /// The names of the nodes in this layer, joined by "+".
    public var name: String
    /// The operations, joined by "+" (for example "conv2d+batchnorm+relu").
    public var operations: String
    public var inputs: [String]
    public var output: String
    public var outputShape: [Int]
    public var outputScale: Int
    /// Every integer this layer can output for any input in the proven input range.
    public var outputRange: ClosedRange<Int>
    /// Bound on |integer output / 2^outputScale − float output| over all inputs in the declared range.
    public var errorBound: Double
    public var kind: Kind
}

/// A model with integer weights, explicit scales, proven value ranges and an error bound per layer.
public struct QuantizedModel: Sendable, Hashable, Codable {
    public var name: String
    public var settings: CompilerSettings
    public var inputName: String
    public var inputShape: [Int]
    public var inputScale: Int
    public var declaredInputRange: ClosedRange<Double>
    /// The integer range the circuit proves for each input element: the declared range, quantized and
    /// widened to a power-of-two span.
    public var inputRange: ClosedRange<Int>
    public var layers: [QuantizedLayer]
    public var outputName: String
    public var outputShape: [Int]
    public var outputScale: Int
    /// True when the model ends in ArgMax: the output is a class index, not a fixed-point tensor.
    public var outputIsIndex: Bool
    public var outputRange: ClosedRange<Int>
    /// For an index output, the bound on the logits before ArgMax.
    public var outputErrorBound: Double
    public var weightVisibility: WeightVisibility = .fixed

    /// The committed parameters of every committed linear layer, in the order `WeightCommitment` hashes them.
    public var committedParameters: [Int] {
        layers.flatMap { layer -> [Int] in
            if case let .committedLinear(_, parameters, _, _, _, _, _, _) = layer.kind { return parameters }
            return []
        }
    }

    public var inputCount: Int { inputShape.reduce(1, *) }
    public var outputCount: Int { outputShape.reduce(1, *) }

    /// round(x·2^inputScale) for each value; values outside the declared range are an error.
    public func quantizeInput(_ input: [Double]) throws(ModelError) -> [Int] {
        guard input.count == inputCount else {
            throw ModelError("the input has \(input.count) values, the model expects \(inputCount) (shape \(inputShape))")
        }
        var result: [Int] = []
        result.reserveCapacity(input.count)
        for (index, value) in input.enumerated() {
            guard value.isFinite, declaredInputRange.contains(value) else {
                throw ModelError("input value \(value) at index \(index) is outside the model's input range \(declaredInputRange)")
            }
            result.append(Int((value * Double(1 << inputScale)).rounded()))
        }
        return result
    }

    /// The output as reals (or the class index).
    public func decodeOutput(_ output: [Int]) -> [Double] {
        outputIsIndex ? output.map(Double.init) : output.map { Double($0) / Double(1 << outputScale) }
    }
}

public enum Quantizer {
    /// The largest magnitude any intermediate integer may reach; leaves headroom in 64-bit arithmetic.
    public static let valueLimit = 1 << 60

    /// Quantizes `model`. With `weights` other than `.fixed`, linear layers keep their parameters as private values;
    /// `matching` (a model compiled before) then fixes every layer's weight scale and bit widths, so a retrained
    /// model of the same architecture yields the same circuit, or an error when its weights do not fit.
    public static func quantize(
        _ model: Model, settings: CompilerSettings = CompilerSettings(), weights: WeightVisibility = .fixed,
        matching reference: QuantizedModel? = nil
    ) throws(ModelError) -> QuantizedModel {
        let settings = reference?.settings ?? settings
        let weights = reference?.weightVisibility ?? weights
        var referenceLayers = reference?.layers.makeIterator()
        let shapes = try ShapeInference.shapes(of: model)
        guard (0...24).contains(settings.activationScale), (2...24).contains(settings.weightBits),
              (0...30).contains(settings.maximumWeightScale) else {
            throw ModelError("settings out of range: activation scale 0...24, weight bits 2...24, maximum weight scale 0...30")
        }
        struct TensorInfo {
            var scale: Int
            var range: ClosedRange<Int>
            var error: Double
        }
        let scale = settings.activationScale
        let unit = Double(1 << scale)
        let low = Int((model.inputRange.lowerBound * unit).rounded())
        let high = Int((model.inputRange.upperBound * unit).rounded())
        guard abs(low) < 1 << 40, abs(high) < 1 << 40 else { throw ModelError("the input range is too large for activation scale \(scale)") }
        let inputRange = low...(low + (1 << BitWidth.unsigned(high - low)) - 1)
        var tensors: [String: TensorInfo] = [model.inputName: TensorInfo(scale: scale, range: inputRange, error: 0.5 / unit)]

        var consumers: [String: [Int]] = [:]
        for (index, node) in model.nodes.enumerated() {
            for input in node.inputs { consumers[input, default: []].append(index) }
        }
        func soleConsumer(of tensor: String) -> Int? {
            guard tensor != model.output, let list = consumers[tensor], list.count == 1 else { return nil }
            return list[0]
        }

        var layers: [QuantizedLayer] = []
        var fused = Set<Int>()
        for (index, node) in model.nodes.enumerated() where !fused.contains(index) {
            let input = tensors[node.inputs[0]]!
            let inputShape = shapes[node.inputs[0]]!
            var names = [node.name]
            var operations = [node.operation.name]
            var output = node.output
            let layer: QuantizedLayer
            switch node.operation {
            case .dense, .conv2d, .batchNorm:
                var (structure, parameters) = LinearStructure.of(node.operation, inputShape: inputShape)!
                var relu = false
                while let next = soleConsumer(of: output) {
                    let nextNode = model.nodes[next]
                    if case .batchNorm = nextNode.operation, !relu {
                        parameters = structure.foldingBatchNorm(nextNode.operation, into: parameters)
                    } else if nextNode.operation == .relu, !relu {
                        relu = true
                    } else {
                        break
                    }
                    fused.insert(next)
                    names.append(nextNode.name)
                    operations.append(nextNode.operation.name)
                    output = nextNode.output
                }
                let name = names.joined(separator: "+")
                let inputInfo = (input.scale, input.range, input.error)
                var quantized: QuantizedLayer
                if weights == .fixed {
                    quantized = try quantizeLinear(structure.map(parameters), input: inputInfo, relu: relu, settings: settings, layer: name)
                } else {
                    var fixedScales: (Int, Int, Int)?
                    if reference != nil {
                        guard let previous = referenceLayers?.next(),
                              case let .committedLinear(previousStructure, _, weightScale, weightBits, biasBits, _, _, previousRelu) = previous.kind,
                              previousStructure == structure, previousRelu == relu, previous.name == name else {
                            throw ModelError(node: name, "the layer does not match the compiled model's architecture; compile (and set up) again")
                        }
                        fixedScales = (weightScale, weightBits, biasBits)
                    }
                    quantized = try quantizeCommitted(
                        structure, parameters: parameters, input: inputInfo, relu: relu, settings: settings, fixed: fixedScales, layer: name)
                }
                tensors[output] = TensorInfo(scale: quantized.outputScale, range: quantized.outputRange, error: quantized.errorBound)
                quantized.name = name
                quantized.operations = operations.joined(separator: "+")
                quantized.inputs = node.inputs
                quantized.output = output
                quantized.outputShape = shapes[output]!
                layers.append(quantized)
                continue
            case .relu:
                let range = max(0, input.range.lowerBound)...max(0, input.range.upperBound)
                layer = QuantizedLayer(
                    name: node.name, operations: "relu", inputs: node.inputs, output: output, outputShape: shapes[output]!,
                    outputScale: input.scale, outputRange: range, errorBound: input.error, kind: .relu(bits: BitWidth.signed(input.range)))
            case let .maxPool(geometry):
                let windows = PoolWindows(shape: inputShape, geometry: geometry)
                layer = QuantizedLayer(
                    name: node.name, operations: "maxpool2d", inputs: node.inputs, output: output, outputShape: shapes[output]!,
                    outputScale: input.scale, outputRange: input.range, errorBound: input.error,
                    kind: .maxPool(windows: windows.windows, differenceBits: BitWidth.unsigned(input.range.upperBound - input.range.lowerBound)))
            case .averagePool, .globalAveragePool:
                let windows: PoolWindows
                var range = input.range
                if case let .averagePool(geometry, countIncludePad) = node.operation {
                    windows = PoolWindows(shape: inputShape, geometry: geometry, countIncludePad: countIncludePad)
                    if countIncludePad && geometry.pads.contains(where: { $0 > 0 }) {
                        range = min(0, range.lowerBound)...max(0, range.upperBound)
                    }
                } else {
                    windows = PoolWindows(globalOver: inputShape)
                }
                let rounding = (settings.rounding == .halfUp ? 0.5 : 1) / Double(1 << input.scale)
                layer = QuantizedLayer(
                    name: node.name, operations: node.operation.name, inputs: node.inputs, output: output, outputShape: shapes[output]!,
                    outputScale: input.scale, outputRange: range, errorBound: input.error + rounding,
                    kind: .averagePool(windows: windows.windows, divisors: windows.divisors, quotientBits: BitWidth.signed(range)))
            case .flatten, .reshape:
                layer = QuantizedLayer(
                    name: node.name, operations: node.operation.name, inputs: node.inputs, output: output, outputShape: shapes[output]!,
                    outputScale: input.scale, outputRange: input.range, errorBound: input.error, kind: .reshape)
            case .add:
                let other = tensors[node.inputs[1]]!
                let outputScale = max(input.scale, other.scale)
                let left = 1 << (outputScale - input.scale)
                let right = 1 << (outputScale - other.scale)
                let lower = try checked(input.range.lowerBound * left + other.range.lowerBound * right, node.name)
                let upper = try checked(input.range.upperBound * left + other.range.upperBound * right, node.name)
                layer = QuantizedLayer(
                    name: node.name, operations: "add", inputs: node.inputs, output: output, outputShape: shapes[output]!,
                    outputScale: outputScale, outputRange: lower...upper, errorBound: input.error + other.error,
                    kind: .add(leftMultiplier: left, rightMultiplier: right))
            case .sigmoid, .tanh:
                let function: ActivationFunction = node.operation == .sigmoid ? .sigmoid : .tanh
                let table = PiecewiseLinearTable.sampling(
                    function.callAsFunction, range: function.range, spacing: function.spacing, inputScale: input.scale, outputScale: scale)
                let tableError = maximumError(of: table, function: function, inputScale: input.scale, outputScale: scale, inputRange: input.range)
                let outputRange = table.values.min()!...table.values.max()!
                layer = QuantizedLayer(
                    name: node.name, operations: function.rawValue, inputs: node.inputs, output: output, outputShape: shapes[output]!,
                    outputScale: scale, outputRange: outputRange, errorBound: function.lipschitz * input.error + tableError,
                    kind: .activation(function, table: table, inputBits: BitWidth.signed(input.range), outputBits: BitWidth.signed(outputRange)))
            case .argmax:
                let count = inputShape.reduce(1, *)
                layer = QuantizedLayer(
                    name: node.name, operations: "argmax", inputs: node.inputs, output: output, outputShape: [1],
                    outputScale: 0, outputRange: 0...(count - 1), errorBound: input.error,
                    kind: .argmax(differenceBits: BitWidth.unsigned(input.range.upperBound - input.range.lowerBound)))
            }
            if reference != nil {
                guard let previous = referenceLayers?.next(), previous.name == layer.name, previous.operations == layer.operations else {
                    throw ModelError(node: layer.name, "the layer does not match the compiled model's architecture; compile (and set up) again")
                }
            }
            tensors[output] = TensorInfo(scale: layer.outputScale, range: layer.outputRange, error: layer.errorBound)
            layers.append(layer)
        }
        if let reference, referenceLayers?.next() != nil || reference.outputName != model.output || reference.inputShape != model.inputShape {
            throw ModelError("the model does not match the compiled model's architecture (layers, input or output differ); compile (and set up) again")
        }
        let final = tensors[model.output]!
        let isIndex = model.nodes.last { $0.output == model.output }?.operation == .argmax
        return QuantizedModel(
            name: model.name, settings: settings, inputName: model.inputName, inputShape: model.inputShape, inputScale: scale,
            declaredInputRange: model.inputRange, inputRange: inputRange, layers: layers, outputName: model.output,
            outputShape: shapes[model.output]!, outputScale: final.scale, outputIsIndex: isIndex, outputRange: final.range,
            outputErrorBound: final.error, weightVisibility: weights)
    }

    /// Quantizes a committed layer: the weight scale keeps one bit of headroom (so retrained weights up to twice as
    /// large still fit), biases get one bit of headroom, and ranges hold for every parameter value in range.
    private static func quantizeCommitted(
        _ structure: LinearStructure, parameters: [Double], input: (scale: Int, range: ClosedRange<Int>, error: Double), relu: Bool,
        settings: CompilerSettings, fixed: (weightScale: Int, weightBits: Int, biasBits: Int)?, layer: String
    ) throws(ModelError) -> QuantizedLayer {
        let weightBits = fixed?.weightBits ?? settings.weightBits
        let weightLimit = (1 << (weightBits - 1)) - 1
        var weightScale = settings.maximumWeightScale
        if let fixed {
            weightScale = fixed.weightScale
        } else if let largest = parameters[..<structure.weightCount].map(abs).max(), largest > 0 {
            weightScale = min(weightScale, Int(log2(Double(weightLimit) / (2 * largest)).rounded(.down)))
        }
        guard weightScale >= 0 else { throw ModelError(node: layer, "weights are too large for \(weightBits) bits; raise weightBits") }
        let biasUnit = Double(1 << (weightScale + input.scale))
        var quantized: [Int] = []
        for (index, value) in parameters.enumerated() {
            let unit = index < structure.weightCount ? Double(1 << weightScale) : biasUnit
            let scaled = (value * unit).rounded()
            guard abs(scaled) < Double(valueLimit >> 8) else { throw ModelError(node: layer, "a parameter is too large to quantize") }
            quantized.append(Int(scaled))
        }
        let largestBias = quantized[structure.weightCount...].map(abs).max() ?? 0
        let biasBits = fixed?.biasBits ?? BitWidth.signed(-largestBias...largestBias) + 1
        if let bad = quantized.indices.first(where: { index in
            index < structure.weightCount ? abs(quantized[index]) > weightLimit : BitWidth.signed(quantized[index]...quantized[index]) > biasBits
        }) {
            throw ModelError(node: layer, "parameter \(bad) (\(parameters[bad])) does not fit the compiled circuit's range; compile (and set up) again")
        }
        var result = try quantizeLinear(
            structure.map(parameters), input: input, relu: relu, settings: settings, layer: layer,
            forced: (weightScale, structure.map(quantized)))
        // Ranges for every parameter the circuit admits, not just these: |acc| ≤ Σ |w|max·|x|max + |b|max per row.
        let inputMagnitude = max(abs(input.range.lowerBound), abs(input.range.upperBound))
        let widest = structure.rows.map(\.count).max() ?? 0
        // The circuit's signed range checks admit −2^(bits−1), so bound with that magnitude.
        let accumulator = try checked(widest * (1 << (weightBits - 1)) * inputMagnitude + (1 << (biasBits - 1)), layer)
        guard case let .linear(_, _, shift, _, _) = result.kind else { return result }
        let low = FixedPoint.rescale(-accumulator, shift: shift, rounding: settings.rounding)
        let high = FixedPoint.rescale(accumulator, shift: shift, rounding: settings.rounding)
        result.outputRange = relu ? 0...high : low...high
        result.kind = .committedLinear(
            structure, parameters: quantized, weightScale: weightScale, weightBits: weightBits, biasBits: biasBits, shift: shift,
            quotientBits: BitWidth.signed(low...high), relu: relu)
        return result
    }

    private static func checked(_ value: Int, _ layer: String) throws(ModelError) -> Int {
        guard abs(value) < valueLimit else {
            throw ModelError(node: layer, "values may reach \(value), beyond 2^60; lower the activation scale or weight bits")
        }
        return value
    }

    private static func quantizeLinear(
        _ map: LinearMap<Double>, input: (scale: Int, range: ClosedRange<Int>, error: Double), relu: Bool,
        settings: CompilerSettings, layer: String, forced: (weightScale: Int, map: LinearMap<Int>)? = nil
    ) throws(ModelError) -> QuantizedLayer {
        let largest = map.rows.lazy.flatMap { $0 }.map { abs($0.weight) }.max() ?? 0
        var weightScale = forced?.weightScale ?? settings.maximumWeightScale
        if largest > 0 && forced == nil {
            let limit = Double((1 << (settings.weightBits - 1)) - 1)
            weightScale = min(weightScale, Int(log2(limit / largest).rounded(.down)))
            while weightScale > -30 && (largest * pow(2, Double(weightScale))).rounded() > limit { weightScale -= 1 }
        }
        guard weightScale >= 0 else {
            throw ModelError(node: layer, "weights up to \(largest) do not fit \(settings.weightBits) bits; raise weightBits")
        }
        let weightUnit = Double(1 << weightScale)
        let biasUnit = Double(1 << (weightScale + input.scale))
        let quantized = map.mapWeights { Int(($0 * weightUnit).rounded()) }
        let biases = map.bias.map { ($0 * biasUnit).rounded() }
        guard biases.allSatisfy({ abs($0) < Double(valueLimit / 2) }) else { throw ModelError(node: layer, "a bias is too large to quantize") }
        var intMap = quantized
        intMap.bias = biases.map { Int($0) }
        if let forced { intMap = forced.map }

        let accumulatorScale = weightScale + input.scale
        let shift = max(0, accumulatorScale - settings.activationScale)
        let outputScale = accumulatorScale - shift
        var lower = Int.max
        var upper = Int.min
        var weightNorm = 0.0
        var weightError = 0.0
        var biasError = 0.0
        for (rowIndex, row) in intMap.rows.enumerated() {
            var rowLow = intMap.bias[rowIndex]
            var rowHigh = intMap.bias[rowIndex]
            var norm = 0.0
            var error = 0.0
            for (term, real) in zip(row, map.rows[rowIndex]) {
                let a = term.weight * input.range.lowerBound
                let b = term.weight * input.range.upperBound
                rowLow += min(a, b)
                rowHigh += max(a, b)
                norm += abs(real.weight)
                error += abs(real.weight - Double(term.weight) / weightUnit)
            }
            _ = try checked(rowLow, layer)
            _ = try checked(rowHigh, layer)
            lower = min(lower, rowLow)
            upper = max(upper, rowHigh)
            weightNorm = max(weightNorm, norm)
            weightError = max(weightError, error)
            biasError = max(biasError, abs(map.bias[rowIndex] - Double(intMap.bias[rowIndex]) / biasUnit))
        }
        if intMap.rows.isEmpty { lower = 0; upper = 0 }
        let quotientLow = FixedPoint.rescale(lower, shift: shift, rounding: settings.rounding)
        let quotientHigh = FixedPoint.rescale(upper, shift: shift, rounding: settings.rounding)
        let quotientBits = BitWidth.signed(quotientLow...quotientHigh)
        let outputRange = relu ? max(0, quotientLow)...max(0, quotientHigh) : quotientLow...quotientHigh
        let inputMagnitude = Double(max(abs(input.range.lowerBound), abs(input.range.upperBound))) / Double(1 << input.scale)
        let rounding = shift == 0 ? 0 : (settings.rounding == .halfUp ? 0.5 : 1) / Double(1 << outputScale)
        // Float-side rounding in the folded weights is far below this margin.
        let errorBound = weightNorm * input.error + weightError * inputMagnitude + biasError + rounding + 1e-9
        return QuantizedLayer(
            name: layer, operations: "", inputs: [], output: "", outputShape: [], outputScale: outputScale, outputRange: outputRange,
            errorBound: errorBound, kind: .linear(intMap, weightScale: weightScale, shift: shift, quotientBits: quotientBits, relu: relu))
    }

    /// max |f(x/2^inputScale) − table(x)/2^outputScale| over the integers the table interpolates, and the ends of
    /// the input range (f is monotone, so beyond the table the gap is largest at the ends).
    static func maximumError(
        of table: PiecewiseLinearTable, function: ActivationFunction, inputScale: Int, outputScale: Int, inputRange: ClosedRange<Int>
    ) -> Double {
        let inputUnit = Double(1 << inputScale)
        let outputUnit = Double(1 << outputScale)
        func gap(_ x: Int) -> Double { abs(function(Double(x) / inputUnit) - Double(table.evaluate(x)) / outputUnit) }
        let low = max(table.lowerBound, inputRange.lowerBound)
        let high = min(table.upperBound, inputRange.upperBound)
        var worst = max(gap(inputRange.lowerBound), gap(inputRange.upperBound))
        if low <= high {
            for x in low...high { worst = max(worst, gap(x)) }
        }
        return worst
    }
}
