import Foundation
import Gadgets
import ModelIR

/// Functions with an exact integer relation: Reciprocal and Div by an activation (2n + d = 2d·q + rem), Sqrt
/// (y² ≤ m ≤ y² + 2y), Pow with a constant exponent (products, a square root for ½, a reciprocal for negatives), and
/// Mod by a constant (x = q·|b| + r).
enum ExactFunctionOps {
    static let all: [any Operator] = [ReciprocalOp(), SqrtOp(), PowOp(), ModOp()]
}

/// a mod b with a constant b: fmod = 0 (floor, the divisor's sign; ONNX allows it for integers, and it is also what
/// torch.remainder means) or fmod = 1 (C's fmod, the dividend's sign). The input is taken at the finest scale at which
/// every divisor is an integer (up to 2^-24), so the result is exact there; a divisor that is not dyadic is rounded to
/// that scale. Mod is discontinuous at multiples of b, so unless the input is exact the bound is max |b| + ε_a.
struct ModOp: Operator {
    let types = ["Mod"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["fmod"])
        let a = try required(node, inputs, 0)
        let b = try required(node, inputs, 1)
        let fmod = try node.int("fmod", default: 0) == 1
        let result = try ElementwiseOps.broadcast(node, [a.doubles, b.doubles]) { a, b in
            fmod ? Foundation.fmod(a, b) : a - (a / b).rounded(.down) * b
        }
        return a.elementType.isInteger ? [.integer(result.map(Int.init(constant:)), a.elementType)] : [.float(result)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let dividend = try required(node, inputs, 0)
        guard case let .constant(divisor) = try required(node, inputs, 1) else {
            throw node.error("a variable divisor is not supported (Mod needs a compile-time constant divisor)")
        }
        if case let .constant(constant) = dividend { return try folded(node, [Operand(constant), Operand(divisor)]) }
        let values = divisor.doubles
        guard values.allSatisfy({ $0 != 0 && $0.isFinite }) else { throw node.error("the divisor must be finite and non-zero") }
        var id = try quantizer.materialize(dividend)
        let current = quantizer.info(id)
        // The fewest fractional bits that make every divisor an integer, if any up to 24 do.
        let needed = (0...24).first { bits in values.allSatisfy { ($0 * pow(2, Double(bits))).rounded() == $0 * pow(2, Double(bits)) } }
        let scale = max(current.scale, needed ?? current.scale)
        if scale > current.scale { id = try quantizer.materialize(.tensor(id), targetScale: scale, exact: true) }
        let input = quantizer.info(id)
        guard let shape = Shape.broadcast([input.shape, divisor.shape]), shape == input.shape else {
            throw node.error("the divisor \(divisor.shape) does not broadcast to the dividend \(input.shape)")
        }
        let unit = pow(2, Double(input.scale))
        let divisors = Shape.broadcastIndices(from: divisor.shape, to: shape).map { Int((values[$0] * unit).rounded()) }
        guard divisors.allSatisfy({ $0 != 0 && abs($0) < 1 << 40 }) else {
            throw node.error("a divisor rounds to 0 or is too large at scale 2^-\(input.scale)")
        }
        let truncate = try node.int("fmod", default: 0) == 1
        let largest = max(abs(input.range.lowerBound), abs(input.range.upperBound))
        let smallest = divisors.map(abs).min()!
        let widest = divisors.map(abs).max()!
        let quotientBits = BitWidth.signed(-(largest / smallest + 1)...(largest / smallest + 1))
        let range: ClosedRange<Int>
        if truncate {
            range = -min(widest - 1, largest)...min(widest - 1, largest)
        } else {
            range = (divisors.contains { $0 < 0 } ? -(widest - 1) : 0)...(divisors.contains { $0 > 0 } ? widest - 1 : 0)
        }
        let exact = needed != nil && input.errorBound == 0
        let error = exact ? 0 : Double(widest) / unit + input.errorBound
        let step = ModuloStep(input: id, divisors: divisors, truncate: truncate, inputBits: BitWidth.signed(input.range), quotientBits: quotientBits)
        return [.tensor(quantizer.record(.modulo(step), shape: shape, scale: input.scale, range: range, error: error, elementType: input.elementType))]
    }
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
