import Foundation
import ModelIR

/// Reads `zkinfer-model/1` files (a chain of image layers without a batch dimension) as the equivalent tensor graph:
/// the input gains a batch dimension of 1, dense becomes Gemm (transB), conv2d Conv, batchnorm BatchNormalization,
/// the pools and activations their ONNX ops, reshape a Reshape with the batch kept, argmax Flatten + ArgMax.
enum ModelJSONVersion1 {
    struct Record: Codable {
        var format: String
        var name: String?
        var input: InputRecord
        var output: String
        var nodes: [NodeRecord]
    }

    struct InputRecord: Codable {
        var name: String
        var shape: [Int]
        var range: [Double]
    }

    struct TensorRecord: Codable {
        var shape: [Int]
        var values: [Double]
    }

    struct NodeRecord: Codable {
        var op: String
        var name: String?
        var inputs: [String]
        var output: String
        var weight: TensorRecord?
        var bias: TensorRecord?
        var kernel: [Int]?
        var strides: [Int]?
        var pads: [Int]?
        var countIncludePad: Bool?
        var shape: [Int]?
        var scale: [Double]?
        var mean: [Double]?
        var variance: [Double]?
        var epsilon: Double?
    }

    static func decode(_ data: Data) throws(ModelError) -> Graph {
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: data) } catch { throw ModelError("not a zkinfer model: \(ModelJSON.describe(error))") }
        guard record.input.range.count == 2, record.input.range[0] <= record.input.range[1], record.input.range.allSatisfy(\.isFinite) else {
            throw ModelError("input.range must be [low, high] with low <= high")
        }
        guard !record.input.shape.isEmpty, record.input.shape.allSatisfy({ $0 >= 1 }) else {
            throw ModelError("input shape \(record.input.shape) must have positive dimensions")
        }
        var constants: [String: ConstantTensor] = [:]
        var nodes: [Node] = []
        func constant(_ name: String, _ tensor: TensorRecord, _ field: String, node: String) throws(ModelError) -> String {
            guard tensor.shape.allSatisfy({ $0 >= 0 }), Shape.count(tensor.shape) == tensor.values.count else {
                throw ModelError(node: node, "\(field) has \(tensor.values.count) values for shape \(tensor.shape)")
            }
            guard tensor.values.allSatisfy(\.isFinite) else { throw ModelError(node: node, "\(field) has a value that is not finite") }
            let key = "\(node).\(field)"
            constants[key] = .float(Tensor(shape: tensor.shape, elements: tensor.values))
            return key
        }
        let supported = "dense, conv2d, batchnorm, relu, maxpool2d, averagepool2d, globalaveragepool, flatten, reshape, add, sigmoid, tanh, argmax"
        for (index, node) in record.nodes.enumerated() {
            let name = node.name ?? "\(node.op)_\(index)"
            func require<T>(_ value: T?, _ field: String) throws(ModelError) -> T {
                guard let value else { throw ModelError(node: name, "\(node.op) needs '\(field)'") }
                return value
            }
            let arity = node.op == "add" ? 2 : 1
            guard node.inputs.count == arity else { throw ModelError(node: name, "\(node.op) takes \(arity) input(s), got \(node.inputs.count)") }
            var inputs = node.inputs
            var attributes: [String: Attribute] = [:]
            var type: String
            switch node.op {
            case "dense":
                type = "Gemm"
                let weight = try require(node.weight, "weight")
                guard weight.shape.count == 2 else { throw ModelError(node: name, "dense weight must be [out, in], got \(weight.shape)") }
                inputs.append(try constant(name, weight, "weight", node: name))
                if let bias = node.bias { inputs.append(try constant(name, bias, "bias", node: name)) }
                attributes["transB"] = .int(1)
            case "conv2d":
                type = "Conv"
                let weight = try require(node.weight, "weight")
                guard weight.shape.count == 4 else { throw ModelError(node: name, "conv2d weight must have shape [out, in, kh, kw]") }
                inputs.append(try constant(name, weight, "weight", node: name))
                if let bias = node.bias { inputs.append(try constant(name, bias, "bias", node: name)) }
                attributes["strides"] = .ints(node.strides ?? [1, 1])
                attributes["pads"] = .ints(node.pads ?? [0, 0, 0, 0])
                if let kernel = node.kernel, kernel != Array(weight.shape[2...]) { throw ModelError(node: name, "kernel \(kernel) does not match the weight shape") }
            case "batchnorm":
                type = "BatchNormalization"
                let scale = try require(node.scale, "scale")
                let bias = try require(node.bias, "bias").values
                let mean = try require(node.mean, "mean")
                let variance = try require(node.variance, "variance")
                for (field, values) in [("scale", scale), ("bias", bias), ("mean", mean), ("variance", variance)] {
                    inputs.append(try constant(name, TensorRecord(shape: [values.count], values: values), field, node: name))
                }
                attributes["epsilon"] = .float(node.epsilon ?? 1e-5)
            case "relu", "sigmoid", "tanh":
                type = ["relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"][node.op]!
            case "maxpool2d", "averagepool2d":
                type = node.op == "maxpool2d" ? "MaxPool" : "AveragePool"
                let kernel = try require(node.kernel, "kernel")
                let strides = node.strides ?? [1, 1]
                let pads = node.pads ?? [0, 0, 0, 0]
                guard kernel.count == 2, strides.count == 2, pads.count == 4, kernel.allSatisfy({ $0 >= 1 }), strides.allSatisfy({ $0 >= 1 }),
                      pads.allSatisfy({ $0 >= 0 }) else {
                    throw ModelError(node: name, "kernel and strides need 2 positive entries, pads 4 non-negative ones")
                }
                attributes["kernel_shape"] = .ints(kernel)
                attributes["strides"] = .ints(strides)
                attributes["pads"] = .ints(pads)
                if node.op == "averagepool2d" { attributes["count_include_pad"] = .int(node.countIncludePad == true ? 1 : 0) }
            case "globalaveragepool":
                type = "GlobalAveragePool"
            case "flatten":
                type = "Flatten"
            case "reshape":
                type = "Reshape"
                let shape = try require(node.shape, "shape")
                let key = "\(name).shape"
                constants[key] = .integer(Tensor(shape: [shape.count + 1], elements: [1] + shape), .int64)
                inputs.append(key)
            case "add":
                type = "Add"
            case "argmax":
                let flat = "\(name).flat"
                nodes.append(Node(name: "\(name).flatten", type: "Flatten", inputs: inputs, outputs: [flat]))
                inputs = [flat]
                type = "ArgMax"
                attributes["axis"] = .int(1)
                attributes["keepdims"] = .int(0)
                guard node.output == record.output else { throw ModelError(node: name, "argmax must produce the model output") }
            default:
                throw ModelError(node: name, "unsupported op '\(node.op)' (supported: \(supported))")
            }
            nodes.append(Node(name: name, type: type, inputs: inputs, outputs: [node.output], attributes: attributes))
        }
        let input = GraphInput(
            name: record.input.name, type: TensorType(.float, [1] + record.input.shape),
            range: record.input.range[0]...record.input.range[1])
        return Graph(name: record.name ?? "model", inputs: [input], constants: constants, nodes: nodes, outputs: [record.output], opset: 28)
    }
}
