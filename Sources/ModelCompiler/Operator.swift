import ModelIR

/// One op type (or a family sharing one definition): its shape rule and float semantics (`evaluate`, also used to
/// fold constants and infer shapes), and how the quantizer turns it into circuit steps.
public protocol Operator: Sendable {
    /// The ONNX op types this definition implements.
    var types: [String] { get }
    /// Outputs from inputs (nil for an omitted optional input). Errors name the node, the op and the offending shape.
    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand]
    /// The op on quantized operands: circuit steps, or pending expressions for the next step to absorb.
    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand]
    /// True when the outputs depend only on the inputs' types (Shape, Size): such nodes always fold.
    var dependsOnlyOnTypes: Bool { get }
    /// About how many terms (multiply-adds, compared elements) the node's circuit handles: the compiler refuses
    /// graphs far beyond what a prover can take before spending the time to quantize them.
    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int
}

extension Operator {
    public var dependsOnlyOnTypes: Bool { false }

    public func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        inputs.reduce(0) { $0 + ($1?.count ?? 0) } + outputs.reduce(0) { $0 + $1.count }
    }

    /// The node evaluated at compile time: its outputs as constants (for ops whose result needs no activation values).
    func folded(_ node: Node, _ operands: [Operand?]) throws(ModelError) -> [QuantizedOperand] {
        try evaluate(node, operands).map { .constant($0.constant!) }
    }
}

/// An op that only moves elements (reshape, transpose, slice, pad, ...): it costs no constraints.
public protocol LayoutOperator: Operator {
    /// The index map for these inputs; parameter inputs (shapes, pads, indices) must be constants.
    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap]
    /// The data inputs the map indexes into (by default the first).
    func dataInputs(_ node: Node) -> [Int]
}

extension LayoutOperator {
    public func dataInputs(_ node: Node) -> [Int] { [0] }

    public func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let maps = try layout(node, inputs)
        let data = try dataInputs(node).map { index throws(ModelError) in try required(node, inputs, index) }
        return maps.map { Operand.gather(data, $0) }
    }

    public func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try rewire(node, inputs, quantizer)
    }

    /// The index maps applied to quantized operands: pending rewirings, or constants.
    func rewire(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        let maps = try layout(node, operands)
        let data = try dataInputs(node).map { index throws(ModelError) in try required(node, operands, index) }
        return maps.map { quantizer.wrap(Operand.gather(data, $0)) }
    }
}

/// An op whose outputs are polynomials of degree at most two in its inputs (linear layers, sums, products).
/// `compute` is written once over any `Arithmetic` element and gives both float and symbolic semantics.
public protocol PolynomialOperator: Operator {
    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>]
    /// True when an output element combines many input elements (Conv, Gemm, reductions): an input that is itself a
    /// wide pending expression is materialized first rather than composed.
    var isContraction: Bool { get }
    /// Inputs that hold parameters (weights, biases): with committed weights these constants become private values.
    func parameterInputs(_ node: Node) -> [Int]
}

extension PolynomialOperator {
    public var isContraction: Bool { false }
    public func parameterInputs(_ node: Node) -> [Int] { Array(node.inputs.indices) }

    public func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let present = inputs.compactMap { $0 }
        if present.contains(where: \.isSymbolic) {
            return try compute(node, inputs.map { $0?.expressions }).map { .symbolic($0) }
        }
        if present.contains(where: \.isFloat) || present.isEmpty {
            return try compute(node, inputs.map { $0?.doubles }).map { .float($0) }
        }
        let type = present.first?.elementType ?? .int64
        return try compute(node, inputs.map { $0?.integers }).map { .integer($0, type) }
    }

    public func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try quantizer.polynomial(self, node, inputs)
    }
}

/// The input at `index`, or an error naming it.
public func required<T>(_ node: Node, _ inputs: [T?], _ index: Int) throws(ModelError) -> T {
    guard index < inputs.count, let value = inputs[index] else { throw node.error("input \(index) is missing") }
    return value
}

/// A compile-time integer input (axes, shapes, pads), or an error naming it.
public func constantIntegers(_ node: Node, _ inputs: [Operand?], _ index: Int, what: String) throws(ModelError) -> [Int]? {
    guard index < inputs.count, let operand = inputs[index] else { return nil }
    guard let constant = operand.constant else { throw node.error("\(what) (input \(index)) must be a compile-time constant") }
    return constant.integers
}

public func constantIntegers<T: Arithmetic>(_ node: Node, _ tensor: Tensor<T>?, what: String) throws(ModelError) -> [Int]? {
    guard let tensor else { return nil }
    var result: [Int] = []
    for element in tensor.elements {
        guard let value = element.constantValue else { throw node.error("\(what) must be a compile-time constant") }
        result.append(Int(constant: value))
    }
    return result
}

/// Normalizes axes against a rank, with an error naming the node.
public func normalizeAxes(_ node: Node, _ axes: [Int], rank: Int) throws(ModelError) -> [Int] {
    var result: [Int] = []
    for axis in axes {
        guard let value = Shape.normalize(axis: axis, rank: rank) else { throw node.error("axis \(axis) is out of range for rank \(rank)") }
        result.append(value)
    }
    guard Set(result).count == result.count else { throw node.error("axes \(axes) repeat an axis") }
    return result
}
