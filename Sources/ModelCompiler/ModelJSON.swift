import Foundation

/// The zkinfer JSON model format (`"format": "zkinfer-model/1"`), documented in the README ("Model JSON format").
///
/// One object per node with an `op` and the fields that op needs; weights are inline tensors
/// `{"shape": [...], "values": [...]}` in row-major order.
public enum ModelJSON {
    public static let formatTag = "zkinfer-model/1"

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

    struct NodeRecord: Codable {
        var op: String
        var name: String?
        var inputs: [String]
        var output: String
        var weight: Tensor?
        var bias: Tensor?
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

    /// Parses a model; errors name the node and the missing or malformed field.
    public static func decode(_ data: Data) throws(ModelError) -> Model {
        let record: Record
        do {
            record = try JSONDecoder().decode(Record.self, from: data)
        } catch {
            throw ModelError("not a zkinfer model: \(describe(error))")
        }
        guard record.format == formatTag else {
            throw ModelError("unsupported format '\(record.format)', expected '\(formatTag)'")
        }
        guard record.input.range.count == 2, record.input.range[0] <= record.input.range[1],
              record.input.range.allSatisfy(\.isFinite) else {
            throw ModelError("input.range must be [low, high] with low <= high")
        }
        var nodes: [Node] = []
        for (index, node) in record.nodes.enumerated() {
            let name = node.name ?? "\(node.op)_\(index)"
            nodes.append(Node(name: name, operation: try operation(of: node, name: name), inputs: node.inputs, output: node.output))
        }
        let model = Model(
            name: record.name ?? "model", inputName: record.input.name, inputShape: record.input.shape,
            inputRange: record.input.range[0]...record.input.range[1], nodes: nodes, output: record.output)
        _ = try ShapeInference.shapes(of: model)
        return model
    }

    public static func encode(_ model: Model) -> Data {
        let record = Record(
            format: formatTag, name: model.name,
            input: InputRecord(name: model.inputName, shape: model.inputShape, range: [model.inputRange.lowerBound, model.inputRange.upperBound]),
            output: model.output, nodes: model.nodes.map(record(of:)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(record)
    }

    private static func operation(of node: NodeRecord, name: String) throws(ModelError) -> NodeOperation {
        func require<T>(_ value: T?, _ field: String) throws(ModelError) -> T {
            guard let value else { throw ModelError(node: name, "\(node.op) needs '\(field)'") }
            return value
        }
        func geometry() throws(ModelError) -> WindowGeometry {
            let kernel = try require(node.kernel, "kernel")
            let geometry = WindowGeometry(kernel: kernel, strides: node.strides ?? [1, 1], pads: node.pads ?? [0, 0, 0, 0])
            guard geometry.kernel.count == 2, geometry.strides.count == 2, geometry.pads.count == 4,
                  geometry.kernel.allSatisfy({ $0 >= 1 }), geometry.strides.allSatisfy({ $0 >= 1 }), geometry.pads.allSatisfy({ $0 >= 0 }) else {
                throw ModelError(node: name, "kernel and strides need 2 positive entries, pads 4 non-negative ones")
            }
            return geometry
        }
        switch node.op {
        case "dense":
            return .dense(weight: try require(node.weight, "weight"), bias: node.bias)
        case "conv2d":
            let weight = try require(node.weight, "weight")
            guard weight.shape.count == 4 else { throw ModelError(node: name, "conv2d weight must have shape [out, in, kh, kw]") }
            var geometry = WindowGeometry(kernel: Array(weight.shape[2...]), strides: node.strides ?? [1, 1], pads: node.pads ?? [0, 0, 0, 0])
            if let kernel = node.kernel, kernel != geometry.kernel { throw ModelError(node: name, "kernel \(kernel) does not match the weight shape") }
            geometry.kernel = Array(weight.shape[2...])
            guard geometry.strides.count == 2, geometry.pads.count == 4, geometry.strides.allSatisfy({ $0 >= 1 }), geometry.pads.allSatisfy({ $0 >= 0 }) else {
                throw ModelError(node: name, "strides need 2 positive entries, pads 4 non-negative ones")
            }
            return .conv2d(weight: weight, bias: node.bias, geometry: geometry)
        case "batchnorm":
            return .batchNorm(
                scale: try require(node.scale, "scale"), bias: try require(node.bias, "bias").values,
                mean: try require(node.mean, "mean"), variance: try require(node.variance, "variance"), epsilon: node.epsilon ?? 1e-5)
        case "relu": return .relu
        case "maxpool2d": return .maxPool(try geometry())
        case "averagepool2d": return .averagePool(try geometry(), countIncludePad: node.countIncludePad ?? false)
        case "globalaveragepool": return .globalAveragePool
        case "flatten": return .flatten
        case "reshape": return .reshape(try require(node.shape, "shape"))
        case "add": return .add
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "argmax": return .argmax
        default:
            throw ModelError(node: name, "unsupported op '\(node.op)' (supported: dense, conv2d, batchnorm, relu, maxpool2d, averagepool2d, globalaveragepool, flatten, reshape, add, sigmoid, tanh, argmax)")
        }
    }

    private static func record(of node: Node) -> NodeRecord {
        var record = NodeRecord(op: node.operation.name, name: node.name, inputs: node.inputs, output: node.output)
        switch node.operation {
        case let .dense(weight, bias):
            record.weight = weight
            record.bias = bias
        case let .conv2d(weight, bias, geometry):
            record.weight = weight
            record.bias = bias
            record.strides = geometry.strides
            record.pads = geometry.pads
        case let .batchNorm(scale, bias, mean, variance, epsilon):
            record.scale = scale
            record.bias = Tensor(shape: [bias.count], values: bias)
            record.mean = mean
            record.variance = variance
            record.epsilon = epsilon
        case let .maxPool(geometry):
            record.kernel = geometry.kernel
            record.strides = geometry.strides
            record.pads = geometry.pads
        case let .averagePool(geometry, countIncludePad):
            record.kernel = geometry.kernel
            record.strides = geometry.strides
            record.pads = geometry.pads
            record.countIncludePad = countIncludePad
        case let .reshape(shape):
            record.shape = shape
        case .relu, .globalAveragePool, .flatten, .add, .sigmoid, .tanh, .argmax:
            break
        }
        return record
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.dataCorrupted(context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}

extension ModelJSON.NodeRecord {
    init(op: String, name: String, inputs: [String], output: String) {
        self.op = op
        self.name = name
        self.inputs = inputs
        self.output = output
    }
}
