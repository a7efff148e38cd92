/// Checks a model's structure and computes the shape of every tensor.
public enum ShapeInference {
    public static func shapes(of model: Model) throws(ModelError) -> [String: [Int]] {
        guard !model.inputShape.isEmpty, model.inputShape.allSatisfy({ $0 >= 1 }) else {
            throw ModelError("input shape \(model.inputShape) must have positive dimensions")
        }
        var shapes: [String: [Int]] = [model.inputName: model.inputShape]
        var names = Set<String>()
        for node in model.nodes {
            guard names.insert(node.name).inserted else { throw ModelError(node: node.name, "the node name is used twice") }
            guard node.inputs.count == node.operation.inputCount else {
                throw ModelError(node: node.name, "\(node.operation.name) takes \(node.operation.inputCount) input(s), got \(node.inputs.count)")
            }
            var inputShapes: [[Int]] = []
            for input in node.inputs {
                guard let shape = shapes[input] else {
                    throw ModelError(node: node.name, "input '\(input)' is not produced by an earlier node or the model input")
                }
                inputShapes.append(shape)
            }
            guard shapes[node.output] == nil else { throw ModelError(node: node.name, "tensor '\(node.output)' is produced twice") }
            shapes[node.output] = try outputShape(of: node, inputs: inputShapes)
        }
        guard shapes[model.output] != nil else { throw ModelError("the model output '\(model.output)' is never produced") }
        for node in model.nodes where node.operation == .argmax && node.output != model.output {
            throw ModelError(node: node.name, "argmax must produce the model output")
        }
        return shapes
    }

    private static func outputShape(of node: Node, inputs: [[Int]]) throws(ModelError) -> [Int] {
        let input = inputs[0]
        let count = input.reduce(1, *)
        func fail(_ problem: String) -> ModelError { ModelError(node: node.name, problem) }
        func check(_ tensor: Tensor, _ field: String, shape expected: [Int]) throws(ModelError) {
            guard tensor.shape == expected else { throw fail("\(field) has shape \(tensor.shape), expected \(expected)") }
            guard tensor.values.count == tensor.count else {
                throw fail("\(field) has \(tensor.values.count) values for shape \(tensor.shape)")
            }
            guard tensor.values.allSatisfy(\.isFinite) else { throw fail("\(field) has a value that is not finite") }
        }
        func image() throws(ModelError) -> (channels: Int, height: Int, width: Int) {
            guard input.count == 3 else { throw fail("\(node.operation.name) needs a [channels, height, width] input, got \(input)") }
            return (input[0], input[1], input[2])
        }
        switch node.operation {
        case let .dense(weight, bias):
            guard input.count == 1 else { throw fail("dense needs a one-dimensional input, got \(input); flatten first") }
            guard weight.shape.count == 2 else { throw fail("dense weight must be [out, in], got \(weight.shape)") }
            try check(weight, "weight", shape: [weight.shape[0], input[0]])
            if let bias { try check(bias, "bias", shape: [weight.shape[0]]) }
            return [weight.shape[0]]
        case let .conv2d(weight, bias, geometry):
            let (channels, height, width) = try image()
            guard weight.shape.count == 4 else { throw fail("conv2d weight must be [out, in, kh, kw]") }
            try check(weight, "weight", shape: [weight.shape[0], channels, geometry.kernel[0], geometry.kernel[1]])
            if let bias { try check(bias, "bias", shape: [weight.shape[0]]) }
            guard let size = geometry.outputSize(height: height, width: width) else { throw fail("the kernel does not fit the input \(input)") }
            return [weight.shape[0], size.height, size.width]
        case let .batchNorm(scale, bias, mean, variance, epsilon):
            let channels = input[0]
            guard [scale.count, bias.count, mean.count, variance.count].allSatisfy({ $0 == channels }) else {
                throw fail("batchnorm needs \(channels) values for each of scale, bias, mean and variance")
            }
            guard zip(variance, Array(repeating: epsilon, count: channels)).allSatisfy({ $0 + $1 > 0 }),
                  (scale + bias + mean + variance + [epsilon]).allSatisfy(\.isFinite) else {
                throw fail("batchnorm needs finite parameters and variance + epsilon > 0")
            }
            return input
        case .relu, .sigmoid, .tanh:
            return input
        case let .maxPool(geometry), let .averagePool(geometry, _):
            let (channels, height, width) = try image()
            guard let size = geometry.outputSize(height: height, width: width) else { throw fail("the window does not fit the input \(input)") }
            guard geometry.pads[0] < geometry.kernel[0], geometry.pads[2] < geometry.kernel[0],
                  geometry.pads[1] < geometry.kernel[1], geometry.pads[3] < geometry.kernel[1] else {
                throw fail("pads must be smaller than the kernel")
            }
            return [channels, size.height, size.width]
        case .globalAveragePool:
            let (channels, _, _) = try image()
            return [channels, 1, 1]
        case .flatten:
            return [count]
        case let .reshape(target):
            let unknown = target.filter { $0 == -1 }.count
            guard unknown <= 1, target.allSatisfy({ $0 == -1 || $0 >= 1 }) else { throw fail("invalid reshape target \(target)") }
            let known = target.filter { $0 != -1 }.reduce(1, *)
            guard count % known == 0, unknown == 1 || known == count else { throw fail("cannot reshape \(input) to \(target)") }
            return target.map { $0 == -1 ? count / known : $0 }
        case .add:
            guard inputs[1] == input else { throw fail("add needs inputs of the same shape, got \(input) and \(inputs[1])") }
            return input
        case .argmax:
            return [1]
        }
    }
}
