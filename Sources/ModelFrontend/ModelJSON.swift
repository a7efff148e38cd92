import Foundation
import ModelIR

/// The zkinfer JSON model format, documented in the README ("Model JSON format").
///
/// Version 2 (`"format": "zkinfer-model/2"`) is the tensor graph itself: inputs with shapes and ranges, constants, and
/// nodes with ONNX op types and attributes. Version 1 files (a chain of image layers without a batch dimension) still
/// load: they are translated to the equivalent graph with a batch dimension of 1.
public enum ModelJSON {
    public static let formatTag = "zkinfer-model/2"
    public static let formatTagVersion1 = "zkinfer-model/1"

    struct Record: Codable {
        var format: String
        var name: String?
        var inputs: [InputRecord]
        var outputs: [String]
        var constants: [String: ConstantRecord]?
        var nodes: [NodeRecord]
    }

    struct InputRecord: Codable {
        var name: String
        var shape: [Int]
        var range: [Double]?
        var type: ElementType?
    }

    struct ConstantRecord: Codable {
        var shape: [Int]
        var values: [Double]
        var type: ElementType?
    }

    struct NodeRecord: Codable {
        var op: String
        var name: String?
        var inputs: [String]
        var outputs: [String]
        var attributes: [String: AttributeRecord]?
    }

    /// An attribute as JSON: a number, a string, or a list of either.
    enum AttributeRecord: Codable {
        case int(Int), float(Double), string(String), ints([Int]), floats([Double]), strings([String])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { self = .int(value) }
            else if let value = try? container.decode(Double.self) { self = .float(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode([Int].self) { self = .ints(value) }
            else if let value = try? container.decode([Double].self) { self = .floats(value) }
            else if let value = try? container.decode([String].self) { self = .strings(value) }
            else { throw DecodingError.dataCorruptedError(in: container, debugDescription: "an attribute must be a number, a string or a list of them") }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .int(value): try container.encode(value)
            case let .float(value): try container.encode(value)
            case let .string(value): try container.encode(value)
            case let .ints(value): try container.encode(value)
            case let .floats(value): try container.encode(value)
            case let .strings(value): try container.encode(value)
            }
        }

        var attribute: Attribute {
            switch self {
            case let .int(value): .int(value)
            case let .float(value): .float(value)
            case let .string(value): .string(value)
            case let .ints(value): .ints(value)
            case let .floats(value): .floats(value)
            case let .strings(value): .strings(value)
            }
        }
    }

    /// Parses a model of either version; errors name the node and the missing or malformed field.
    public static func decode(_ data: Data) throws(ModelError) -> Graph {
        struct Tag: Decodable { var format: String }
        let tag: Tag
        do { tag = try JSONDecoder().decode(Tag.self, from: data) } catch { throw ModelError("not a zkinfer model: \(describe(error))") }
        if tag.format == formatTagVersion1 { return try ModelJSONVersion1.decode(data) }
        guard tag.format == formatTag else {
            throw ModelError("unsupported format '\(tag.format)', expected '\(formatTag)' (or '\(formatTagVersion1)')")
        }
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: data) } catch { throw ModelError("not a zkinfer model: \(describe(error))") }
        var inputs: [GraphInput] = []
        for input in record.inputs {
            var range: ClosedRange<Double>?
            if let given = input.range {
                guard given.count == 2, given[0] <= given[1], given.allSatisfy(\.isFinite) else {
                    throw ModelError("input '\(input.name)': range must be [low, high] with low <= high")
                }
                range = given[0]...given[1]
            }
            guard input.shape.allSatisfy({ $0 >= 1 }) else { throw ModelError("input '\(input.name)': shape \(input.shape) must have positive dimensions") }
            inputs.append(GraphInput(name: input.name, type: TensorType(input.type ?? .float, input.shape), range: range))
        }
        var constants: [String: ConstantTensor] = [:]
        for (name, constant) in record.constants ?? [:] {
            guard constant.shape.allSatisfy({ $0 >= 0 }), Shape.count(constant.shape) == constant.values.count else {
                throw ModelError("constant '\(name)' has \(constant.values.count) values for shape \(constant.shape)")
            }
            guard constant.values.allSatisfy({ $0.isFinite && abs($0) < 9e15 }) else { throw ModelError("constant '\(name)' has a value that is not finite") }
            let type = constant.type ?? .float
            constants[name] = type == .float
                ? .float(Tensor(shape: constant.shape, elements: constant.values))
                : .integer(Tensor(shape: constant.shape, elements: constant.values.map { Int($0) }), type)
        }
        let nodes = record.nodes.enumerated().map { index, node in
            Node(name: node.name ?? "\(node.op)_\(index)", type: node.op, inputs: node.inputs, outputs: node.outputs,
                 attributes: (node.attributes ?? [:]).mapValues(\.attribute))
        }
        return Graph(name: record.name ?? "model", inputs: inputs, constants: constants, nodes: nodes, outputs: record.outputs, opset: 28)
    }

    /// Version 2 JSON of a graph (tensor and subgraph attributes are not representable and are refused).
    public static func encode(_ graph: Graph) throws(ModelError) -> Data {
        var nodes: [NodeRecord] = []
        for node in graph.nodes {
            var attributes: [String: AttributeRecord] = [:]
            for (key, attribute) in node.attributes {
                switch attribute {
                case let .int(value): attributes[key] = .int(value)
                case let .float(value): attributes[key] = .float(value)
                case let .string(value): attributes[key] = .string(value)
                case let .ints(value): attributes[key] = .ints(value)
                case let .floats(value): attributes[key] = .floats(value)
                case let .strings(value): attributes[key] = .strings(value)
                case .tensor, .graph: throw ModelError(node: node.name, "attribute '\(key)' cannot be written as JSON")
                }
            }
            nodes.append(NodeRecord(op: node.type, name: node.name, inputs: node.inputs, outputs: node.outputs, attributes: attributes.isEmpty ? nil : attributes))
        }
        let record = Record(
            format: formatTag, name: graph.name,
            inputs: graph.inputs.map { InputRecord(name: $0.name, shape: $0.type.shape, range: $0.range.map { [$0.lowerBound, $0.upperBound] }, type: $0.type.elementType) },
            outputs: graph.outputs,
            constants: graph.constants.mapValues { ConstantRecord(shape: $0.shape, values: $0.doubles, type: $0.elementType) },
            nodes: nodes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(record)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.dataCorrupted(context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "'\(path)': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
