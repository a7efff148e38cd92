/// The element type of a tensor in the graph.
public enum ElementType: String, Sendable, Hashable, Codable {
    case float, int64, int32, bool

    public var isInteger: Bool { self != .float }

    /// The type of an ONNX TensorProto data type code (1 float, 6 int32, 7 int64, 9 bool, 10 float16, 11 double,
    /// 16 bfloat16; the other integer codes widen to int64), or nil for strings, complex and 8-bit floats.
    public init?(onnxCode code: Int) {
        switch code {
        case 1, 10, 11, 16: self = .float
        case 9: self = .bool
        case 6: self = .int32
        case 2, 3, 4, 5, 7, 12, 13: self = .int64
        default: return nil
        }
    }
}

/// A tensor's static type.
public struct TensorType: Sendable, Hashable, Codable, CustomStringConvertible {
    public var elementType: ElementType
    public var shape: [Int]

    public init(_ elementType: ElementType, _ shape: [Int]) {
        self.elementType = elementType
        self.shape = shape
    }

    public var count: Int { Shape.count(shape) }
    public var description: String { "\(elementType)\(shape)" }
}

/// A compile-time constant: reals, or integers (int64, int32 and bool tensors).
public enum ConstantTensor: Sendable, Hashable, Codable {
    case float(Tensor<Double>)
    case integer(Tensor<Int>, ElementType)

    public var shape: [Int] {
        switch self {
        case let .float(tensor): tensor.shape
        case let .integer(tensor, _): tensor.shape
        }
    }

    public var elementType: ElementType {
        switch self {
        case .float: .float
        case let .integer(_, type): type
        }
    }

    public var type: TensorType { TensorType(elementType, shape) }

    public var doubles: [Double] {
        switch self {
        case let .float(tensor): tensor.elements
        case let .integer(tensor, _): tensor.elements.map(Double.init)
        }
    }

    /// The values as integers (reals through `Int(constant:)`).
    public var integers: [Int] {
        switch self {
        case let .float(tensor): tensor.elements.map(Int.init(constant:))
        case let .integer(tensor, _): tensor.elements
        }
    }

    public var floatTensor: Tensor<Double> {
        switch self {
        case let .float(tensor): tensor
        case let .integer(tensor, _): tensor.map(Double.init)
        }
    }

    public var integerTensor: Tensor<Int> { Tensor(shape: shape, elements: integers) }
}

extension Int {
    /// A real truncated toward zero, as ONNX casts do; values beyond Int clamp and NaN is 0, so no input traps.
    public init(constant: Double) {
        self = constant.isNaN ? 0 : Int(clamping: Int64(exactly: constant.rounded(.towardZero)) ?? (constant > 0 ? .max : .min))
    }
}

/// An attribute of a node, as ONNX defines them.
public enum Attribute: Sendable, Hashable, Codable {
    case int(Int)
    case float(Double)
    case string(String)
    case ints([Int])
    case floats([Double])
    case strings([String])
    case tensor(ConstantTensor)
    /// A subgraph (If, Loop, Scan bodies): kept only so the op can be refused by name.
    case graph
}

/// One operation of the graph, with ONNX's op type and attribute names. An empty input name is an omitted
/// optional input.
public struct Node: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]

    public init(name: String, type: String, inputs: [String], outputs: [String], attributes: [String: Attribute] = [:]) {
        self.name = name
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }
}

/// Whether a graph input is a public signal, part of the private witness, or private and bound to a public commitment.
public enum InputVisibility: String, Sendable, Hashable, Codable, CaseIterable {
    case `public`, `private`, hashed
}

public struct GraphInput: Sendable, Hashable, Codable {
    public var name: String
    public var type: TensorType
    /// The real interval every element lies in; the circuit range-checks the input against it.
    public var range: ClosedRange<Double>?

    public init(name: String, type: TensorType, range: ClosedRange<Double>? = nil) {
        self.name = name
        self.type = type
        self.range = range
    }
}

/// A tensor graph: inputs, constants, nodes in topological order and outputs, every shape static.
public struct Graph: Sendable, Hashable, Codable {
    public var name: String
    public var inputs: [GraphInput]
    public var constants: [String: ConstantTensor]
    public var nodes: [Node]
    public var outputs: [String]
    /// The default-domain opset the graph was written for (nodes are normalized to the newest form on import).
    public var opset: Int

    public init(name: String, inputs: [GraphInput], constants: [String: ConstantTensor], nodes: [Node], outputs: [String], opset: Int) {
        self.name = name
        self.inputs = inputs
        self.constants = constants
        self.nodes = nodes
        self.outputs = outputs
        self.opset = opset
    }

    /// How many node inputs and graph outputs read each tensor.
    public var consumerCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for node in nodes { for input in node.inputs where !input.isEmpty { counts[input, default: 0] += 1 } }
        for output in outputs { counts[output, default: 0] += 1 }
        return counts
    }
}

/// A model that cannot be compiled, naming the node (when there is one) and the problem.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var node: String?
    public var problem: String

    public init(node: String? = nil, _ problem: String) {
        self.node = node
        self.problem = problem
    }

    public var description: String { node.map { "node '\($0)': \(problem)" } ?? problem }
}
