import Foundation
import ModelIR

/// Comparisons, logic and selection on activations. Each comparison becomes one proven bit on an exact integer
/// difference: between two activations, the decision on the quantized operands; against a constant threshold t, the
/// decision between x̂ and t rounded as inputs are (see `thresholdDifference`), so an input equal to the threshold is
/// decided exactly. The float model's decision can differ only where an operand is within its flip margin of the
/// threshold (its error bound, plus half a unit for a constant threshold), which the cost report prints.
/// Booleans are integers at scale 0 proven to be 0 or 1; logic ops are their exact polynomials.
enum ComparisonOps {
    static let all: [any Operator] = [ComparisonOp(), LogicOp(), WhereOp()]

    /// Element-wise boolean semantics on reals (non-zero is true), as bool tensors.
    static func booleans(_ node: Node, _ inputs: [Operand?], arity: Int, _ rule: (Double, Double) -> Bool) throws(ModelError) -> [Operand] {
        let operands = try (0..<arity).map { index throws(ModelError) in try required(node, inputs, index).doubles }
        let tensors = arity == 1 ? [operands[0], operands[0]] : operands
        return [.integer(try ElementwiseOps.broadcast(node, tensors) { rule($0, $1) ? 1 : 0 }.map { Int($0) }, .bool)]
    }

    /// A boolean operand as expressions: constants as 0/1, activations only when proven boolean.
    static func boolean(_ node: Node, _ value: QuantizedOperand, _ quantizer: inout Quantizer) throws(ModelError) -> Tensor<Expression> {
        if case let .constant(constant) = value { return constant.floatTensor.map { Expression(constant: $0 != 0 ? 1 : 0) } }
        let id = try quantizer.materialize(value, targetScale: 0, exact: true)
        guard quantizer.isBoolean(id) else {
            let info = quantizer.info(id)
            throw node.error("needs booleans (a comparison's result or a constant), got a value with range \(info.range) at scale \(info.scale)")
        }
        return quantizer.symbols(id)
    }

    /// The exact difference d for `x type t` on x's integers at `scale` (range `range`): d ≥ 0 exactly when the
    /// decision holds between x̂ and the threshold rounded as an input is, T = round(t·2^s) (for Equal, d = 0). So an
    /// input equal to its threshold (trees split on data values) is decided as the float model decides it, and any
    /// input at least one unit away from the threshold too; only the grid point nearest an off-grid threshold can
    /// differ. Thresholds beyond x's range are clamped (the decision is then the same for every x in range).
    static func thresholdDifference(_ type: String, _ value: Expression, threshold: Double, scale: Int, range: ClosedRange<Int>) -> Expression {
        let unit = pow(2, Double(scale))
        let t = min(max((threshold * unit).rounded(), Double(range.lowerBound - 1)), Double(range.upperBound + 1))
        let integer: Double = switch type {
        case "Less": t - 1
        case "Greater": t + 1
        default: t
        }
        let level = Expression(constant: integer / unit)
        return type == "Less" || type == "LessOrEqual" ? level - value : value - level
    }

    /// How far from a constant threshold an operand with this error bound may be for the circuit's decision to differ
    /// from the float model's: its error plus half a unit of threshold rounding.
    static func flipMargin(errorBound: Double, scale: Int) -> Double { errorBound + 0.5 / pow(2, Double(scale)) }

    /// Broadcasts two expression tensors and combines them element-wise.
    static func combine(_ node: Node, _ a: Tensor<Expression>, _ b: Tensor<Expression>, _ rule: (Expression, Expression) -> Expression) throws(ModelError) -> Tensor<Expression> {
        guard let shape = Shape.broadcast([a.shape, b.shape]) else { throw node.error("shapes \(a.shape) and \(b.shape) do not broadcast") }
        let left = Shape.broadcastIndices(from: a.shape, to: shape)
        let right = Shape.broadcastIndices(from: b.shape, to: shape)
        return Tensor(shape: shape, elements: (0..<Shape.count(shape)).map { rule(a.elements[left[$0]], b.elements[right[$0]]) })
    }
}

struct ComparisonOp: Operator {
    let types = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"]

    static func holds(_ type: String, _ a: Double, _ b: Double) -> Bool {
        switch type {
        case "Equal": a == b
        case "Less": a < b
        case "Greater": a > b
        case "LessOrEqual": a <= b
        default: a >= b
        }
    }

    /// The comparison with its operands swapped: t < x is x > t.
    static func mirrored(_ type: String) -> String {
        switch type {
        case "Less": "Greater"
        case "Greater": "Less"
        case "LessOrEqual": "GreaterOrEqual"
        case "GreaterOrEqual": "LessOrEqual"
        default: type
        }
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return try ComparisonOps.booleans(node, inputs, arity: 2) { ComparisonOp.holds(node.type, $0, $1) }
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try node.allow([])
        var left = try required(node, inputs, 0)
        var right = try required(node, inputs, 1)
        if case .constant = left, case .constant = right { return try folded(node, inputs.map { $0.map { quantizer.operand($0) } }) }
        var type = node.type
        if case .constant = left { (left, right, type) = (right, left, Self.mirrored(type)) }
        let x = try quantizer.materialize(left)
        let a = quantizer.info(x)
        var margin = a.errorBound
        var differences: Tensor<Expression>
        var scale = a.scale
        if case let .constant(constant) = right {
            margin = ComparisonOps.flipMargin(errorBound: a.errorBound, scale: scale)
            // x·2^s against an integer threshold, rounded so the integer decision is the real one on x̂; thresholds
            // beyond x's range are clamped (the decision is then the same for every x in range).
            let thresholds = constant.floatTensor.map { Expression(constant: $0) }
            differences = try ComparisonOps.combine(node, quantizer.symbols(x), thresholds) { value, threshold in
                ComparisonOps.thresholdDifference(type, value, threshold: threshold.constant, scale: scale, range: a.range)
            }
        } else {
            let y = try quantizer.materialize(right)
            let b = quantizer.info(y)
            margin += b.errorBound
            scale = max(a.scale, b.scale)
            let step = Expression(constant: 1 / pow(2, Double(scale)))
            differences = try ComparisonOps.combine(node, quantizer.symbols(x), quantizer.symbols(y)) { p, q in
                switch type {
                case "Less": q - p - step
                case "LessOrEqual": q - p
                case "Greater": p - q - step
                default: p - q
                }
            }
        }
        let d = try quantizer.materialize(.pending(differences), targetScale: scale, exact: true)
        return [.tensor(quantizer.compare(d, test: type == "Equal" ? .zero : .nonNegative, complement: false, flipMargin: margin))]
    }
}

/// Not, And, Or, Xor on proven booleans: 1 − a, a·b, a + b − a·b, a + b − 2·a·b (one product per element).
struct LogicOp: Operator {
    let types = ["Not", "And", "Or", "Xor"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        switch node.type {
        case "Not": return try ComparisonOps.booleans(node, inputs, arity: 1) { a, _ in a == 0 }
        case "And": return try ComparisonOps.booleans(node, inputs, arity: 2) { $0 != 0 && $1 != 0 }
        case "Or": return try ComparisonOps.booleans(node, inputs, arity: 2) { $0 != 0 || $1 != 0 }
        default: return try ComparisonOps.booleans(node, inputs, arity: 2) { ($0 != 0) != ($1 != 0) }
        }
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try node.allow([])
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        if operands.allSatisfy({ $0 == nil || $0!.constant != nil }) { return try folded(node, operands) }
        let a = try ComparisonOps.boolean(node, try required(node, inputs, 0), &quantizer)
        let result: Tensor<Expression>
        if node.type == "Not" {
            result = a.map { Expression(constant: 1) - $0 }
        } else {
            let b = try ComparisonOps.boolean(node, try required(node, inputs, 1), &quantizer)
            result = try ComparisonOps.combine(node, a, b) { p, q in
                switch node.type {
                case "And": p * q
                case "Or": p + q - p * q
                default: p + q - (p * q).scaled(by: 2)
                }
            }
        }
        let id = try quantizer.materialize(.pending(result), targetScale: 0, exact: true)
        quantizer.markBoolean(id)
        return [.tensor(id)]
    }
}

/// Where: with a compile-time condition it selects elements (zero constraints); with a proven boolean condition c it
/// is y + c·(x − y), one product per element (none where x and y are constants, as tree leaves are).
struct WhereOp: Operator {
    let types = ["Where"]

    func map(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> IndexMap {
        try node.allow([])
        let condition = try required(node, inputs, 0)
        guard let values = condition.constant?.integers else { throw node.error("the condition is not a compile-time constant") }
        let x = try required(node, inputs, 1).shape
        let y = try required(node, inputs, 2).shape
        guard let shape = Shape.broadcast([condition.shape, x, y]) else { throw node.error("shapes \(condition.shape), \(x), \(y) do not broadcast") }
        let c = Shape.broadcastIndices(from: condition.shape, to: shape)
        let a = Shape.broadcastIndices(from: x, to: shape)
        let b = Shape.broadcastIndices(from: y, to: shape)
        return IndexMap(shape: shape, sources: (0..<Shape.count(shape)).map {
            values[c[$0]] != 0 ? IndexMap.source(input: 0, element: a[$0]) : IndexMap.source(input: 1, element: b[$0])
        })
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let data = [try required(node, inputs, 1), try required(node, inputs, 2)]
        if inputs[0]?.constant == nil {
            let shape = Shape.broadcast([try required(node, inputs, 0).shape] + data.map(\.shape)) ?? data[0].shape
            return [FoldConstants.placeholder(TensorType(data[0].elementType, shape))]
        }
        return [Operand.gather(data, try map(node, inputs), elementType: data[0].elementType)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        if operands.first??.constant != nil {
            let data = [try required(node, operands, 1), try required(node, operands, 2)]
            return [quantizer.wrap(Operand.gather(data, try map(node, operands)))]
        }
        try node.allow([])
        let condition = try ComparisonOps.boolean(node, try required(node, inputs, 0), &quantizer)
        func branch(_ position: Int) throws(ModelError) -> Tensor<Expression> {
            let value = try required(node, inputs, position)
            if case .constant = value { return quantizer.operand(value).expressions }
            let id = try quantizer.materialize(value)
            return quantizer.symbols(id)
        }
        let x = try branch(1)
        let y = try branch(2)
        let difference = try ComparisonOps.combine(node, x, y) { $0 - $1 }
        let selected = try ComparisonOps.combine(node, condition, difference) { $0 * $1 }
        return [.pending(try ComparisonOps.combine(node, selected, y) { $0 + $1 })]
    }
}
