import Foundation

/// Runs a model in double precision: the number the user expects, against which quantization error is measured.
public enum FloatInterpreter {
    /// Every tensor's values by name; `input` is the flattened model input.
    public static func run(_ model: Model, input: [Double]) throws(ModelError) -> [String: [Double]] {
        let shapes = try ShapeInference.shapes(of: model)
        guard input.count == model.inputShape.reduce(1, *) else {
            throw ModelError("the input has \(input.count) values, the model expects \(model.inputShape.reduce(1, *)) (shape \(model.inputShape))")
        }
        var tensors: [String: [Double]] = [model.inputName: input]
        for node in model.nodes {
            let x = tensors[node.inputs[0]]!
            let shape = shapes[node.inputs[0]]!
            let output: [Double]
            switch node.operation {
            case .dense, .conv2d, .batchNorm:
                output = LinearMap.of(node.operation, inputShape: shape)!.apply(x)
            case .relu: output = x.map { max(0, $0) }
            case .sigmoid: output = x.map(ActivationFunction.sigmoid.callAsFunction)
            case .tanh: output = x.map(ActivationFunction.tanh.callAsFunction)
            case let .maxPool(geometry):
                output = PoolWindows(shape: shape, geometry: geometry).windows.map { $0.map { x[$0] }.max()! }
            case let .averagePool(geometry, countIncludePad):
                let pools = PoolWindows(shape: shape, geometry: geometry, countIncludePad: countIncludePad)
                output = zip(pools.windows, pools.divisors).map { $0.map { x[$0] }.reduce(0, +) / Double($1) }
            case .globalAveragePool:
                let pools = PoolWindows(globalOver: shape)
                output = zip(pools.windows, pools.divisors).map { $0.map { x[$0] }.reduce(0, +) / Double($1) }
            case .flatten, .reshape: output = x
            case .add: output = zip(x, tensors[node.inputs[1]]!).map(+)
            case .argmax: output = [Double(x.firstIndex(of: x.max()!)!)]
            }
            tensors[node.output] = output
        }
        return tensors
    }
}
