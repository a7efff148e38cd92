import Foundation
import ModelIR

/// Functions with an exact integer relation: Reciprocal and Div by an activation (2n + d = 2d·q + rem), Sqrt
/// (y² ≤ m ≤ y² + 2y), and Pow with a constant exponent (products, a square root for ½, a reciprocal for negatives).
enum ExactFunctionOps {
    static let all: [any Operator] = [ReciprocalOp(), SqrtOp(), PowOp()]
}

struct ReciprocalOp: Operator {
    let types = ["Reciprocal"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return [.float(try required(node, inputs, 0).doubles.map { 1 / $0 })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try required(node, inputs, 0)
        if case let .constant(constant) = x { return [.constant(.float(constant.floatTensor.map { 1 / $0 }))] }
        return [.tensor(try quantizer.divide(.constant(.float(Tensor(shape: [], elements: [1]))), by: x))]
    }
}

struct SqrtOp: Operator {
    let types = ["Sqrt"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return [.float(try required(node, inputs, 0).doubles.map { $0.squareRoot() })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try required(node, inputs, 0)
        if case let .constant(constant) = x { return [.constant(.float(constant.floatTensor.map { $0.squareRoot() }))] }
        return [.tensor(try quantizer.squareRoot(x))]
    }
}

/// Pow with a constant exponent: an integer (repeated squaring, each product one constraint per element and a rescale;
/// a negative exponent takes the reciprocal) or ½ (the square root). A variable exponent is refused.
struct PowOp: Operator {
    let types = ["Pow"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let base = try required(node, inputs, 0)
        let exponent = try required(node, inputs, 1)
        let result = try ElementwiseOps.broadcast(node, [base.doubles, exponent.doubles]) { Foundation.pow($0, $1) }
        if base.elementType.isInteger { return [.integer(result.map(Int.init(constant:)), base.elementType)] }
        return [.float(result)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let base = try required(node, inputs, 0)
        guard case let .constant(exponentTensor) = try required(node, inputs, 1) else {
            throw node.error("a variable exponent is not supported (the exponent must be a compile-time constant)")
        }
        if case let .constant(constant) = base {
            return try folded(node, [Operand(constant), Operand(exponentTensor)])
        }
        let exponents = Set(exponentTensor.doubles)
        guard exponents.count == 1, let exponent = exponents.first else { throw node.error("the exponent must be one value, got \(exponents.sorted())") }
        if exponent == 0.5 { return [.tensor(try quantizer.squareRoot(base))] }
        guard exponent == exponent.rounded(), abs(exponent) <= 64 else {
            throw node.error("exponent \(exponent) is not supported (integers up to 64 and 0.5)")
        }
        let power = Int(abs(exponent))
        if power == 0 {
            return [.constant(.float(Tensor(shape: quantizer.shape(base), repeating: 1)))]
        }
        // Square and multiply: every product of two materialized tensors stays pending until the next one needs it.
        var result: QuantizedOperand?
        var square = base
        var remaining = power
        while remaining > 0 {
            if remaining & 1 == 1 {
                if let current = result {
                    let leftID = try quantizer.materialize(current)
                    let rightID = try quantizer.materialize(square)
                    let left = quantizer.symbols(leftID)
                    let right = quantizer.symbols(rightID)
                    result = .pending(try ElementwiseOps.broadcast(node, [left, right], *))
                } else {
                    result = square
                }
            }
            remaining >>= 1
            if remaining > 0 {
                let id = try quantizer.materialize(square)
                let s = quantizer.symbols(id)
                square = .pending(Tensor(shape: s.shape, elements: s.elements.map { $0 * $0 }))
            }
        }
        guard exponent < 0 else { return [result!] }
        return [.tensor(try quantizer.divide(.constant(.float(Tensor(shape: [], elements: [1]))), by: result!))]
    }
}
