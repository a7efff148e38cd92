import Gadgets

/// The exact integer semantics of a quantized model; the circuit proves exactly this computation.
public enum IntegerInterpreter {
    /// Every tensor's integer values by name; `input` is already quantized.
    public static func run(_ model: QuantizedModel, input: [Int]) throws(ModelError) -> [String: [Int]] {
        try validate(input, for: model)
        let rounding = model.settings.rounding
        var tensors: [String: [Int]] = [model.inputName: input]
        func rescale(_ accumulators: [Int], shift: Int, relu: Bool) -> [Int] {
            let rescaled = accumulators.map { FixedPoint.rescale($0, shift: shift, rounding: rounding) }
            return relu ? rescaled.map { max(0, $0) } : rescaled
        }
        for layer in model.layers {
            let x = tensors[layer.inputs[0]]!
            let output: [Int]
            switch layer.kind {
            case let .linear(map, _, shift, _, relu):
                output = rescale(map.apply(x), shift: shift, relu: relu)
            case let .committedLinear(structure, parameters, _, _, _, shift, _, relu):
                output = rescale(structure.map(parameters).apply(x), shift: shift, relu: relu)
            case .relu:
                output = x.map { max(0, $0) }
            case let .maxPool(windows, _):
                output = windows.map { $0.map { x[$0] }.max()! }
            case let .averagePool(windows, divisors, _):
                output = zip(windows, divisors).map { FixedPoint.divide($0.map { x[$0] }.reduce(0, +), by: $1, rounding: rounding) }
            case .reshape:
                output = x
            case let .add(left, right):
                output = zip(x, tensors[layer.inputs[1]]!).map { $0 * left + $1 * right }
            case let .activation(_, table, _, _):
                output = x.map(table.evaluate)
            case .argmax:
                output = [x.firstIndex(of: x.max()!)!]
            }
            tensors[layer.output] = output
        }
        return tensors
    }

    static func validate(_ input: [Int], for model: QuantizedModel) throws(ModelError) {
        guard input.count == model.inputCount else {
            throw ModelError("the input has \(input.count) values, the model expects \(model.inputCount) (shape \(model.inputShape))")
        }
        if let index = input.firstIndex(where: { !model.inputRange.contains($0) }) {
            throw ModelError("quantized input \(input[index]) at index \(index) is outside the proven range \(model.inputRange)")
        }
    }
}
