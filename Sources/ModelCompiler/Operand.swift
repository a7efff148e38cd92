import ModelIR

/// A value flowing through op evaluation: reals, integers, or the quantizer's symbolic expressions.
public enum Operand: Sendable {
    case float(Tensor<Double>)
    case integer(Tensor<Int>, ElementType)
    case symbolic(Tensor<Expression>)

    public init(_ constant: ConstantTensor) {
        switch constant {
        case let .float(tensor): self = .float(tensor)
        case let .integer(tensor, type): self = .integer(tensor, type)
        }
    }

    public var shape: [Int] {
        switch self {
        case let .float(tensor): tensor.shape
        case let .integer(tensor, _): tensor.shape
        case let .symbolic(tensor): tensor.shape
        }
    }

    public var elementType: ElementType {
        switch self {
        case .float, .symbolic: .float
        case let .integer(_, type): type
        }
    }

    public var type: TensorType { TensorType(elementType, shape) }
    public var count: Int { Shape.count(shape) }

    /// The value as a compile-time constant, when every element is known.
    public var constant: ConstantTensor? {
        switch self {
        case let .float(tensor): return .float(tensor)
        case let .integer(tensor, type): return .integer(tensor, type)
        case let .symbolic(tensor):
            var values: [Double] = []
            values.reserveCapacity(tensor.count)
            for element in tensor.elements {
                guard let value = element.constantValue else { return nil }
                values.append(value)
            }
            return .float(Tensor(shape: tensor.shape, elements: values))
        }
    }

    public var doubles: Tensor<Double> {
        switch self {
        case let .float(tensor): tensor
        case let .integer(tensor, _): tensor.map(Double.init)
        case let .symbolic(tensor): tensor.map { $0.constantValue ?? .nan }
        }
    }

    public var expressions: Tensor<Expression> {
        switch self {
        case let .float(tensor): tensor.map(Expression.init(constant:))
        case let .integer(tensor, _): tensor.map { Expression(constant: Double($0)) }
        case let .symbolic(tensor): tensor
        }
    }

    public var integers: Tensor<Int> {
        switch self {
        case let .float(tensor): tensor.map(Int.init(constant:))
        case let .integer(tensor, _): tensor
        case let .symbolic(tensor): tensor.map { Int(constant: $0.constantValue ?? 0) }
        }
    }

    var isSymbolic: Bool { if case .symbolic = self { true } else { false } }
    var isFloat: Bool { if case .float = self { true } else { false } }

    /// Gathers elements by an index map, keeping the operand's kind (the inputs are promoted to a common kind).
    static func gather(_ inputs: [Operand], _ map: IndexMap, elementType: ElementType? = nil) -> Operand {
        func pick<T>(_ tensors: [Tensor<T>], pad: T) -> Tensor<T> {
            Tensor(shape: map.shape, elements: map.sources.map { source in
                source < 0 ? pad : tensors[source >> IndexMap.inputShift].elements[source & IndexMap.elementMask]
            })
        }
        if inputs.contains(where: \.isSymbolic) {
            return .symbolic(pick(inputs.map(\.expressions), pad: Expression(constant: map.padValue)))
        }
        if inputs.contains(where: \.isFloat) {
            return .float(pick(inputs.map(\.doubles), pad: map.padValue))
        }
        let type = elementType ?? inputs.first?.elementType ?? .int64
        return .integer(pick(inputs.map(\.integers), pad: Int(constant: map.padValue)), type)
    }
}

/// Where each output element of a layout op comes from: an element of one input, or the pad value.
public struct IndexMap: Sendable {
    static let inputShift = 40
    static let elementMask = (1 << 40) - 1

    public var shape: [Int]
    /// input << 40 | element, or −1 for the pad value.
    public var sources: [Int]
    public var padValue: Double

    public init(shape: [Int], sources: [Int], padValue: Double = 0) {
        self.shape = shape
        self.sources = sources
        self.padValue = padValue
    }

    public static func source(input: Int, element: Int) -> Int { input << inputShift | element }
}
