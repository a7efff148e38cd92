import Gadgets
import ModelIR

/// Floor, Ceil and Round (half to even) of fixed-point values, exact: a rescale to scale 0 (floor(x) = q with
/// x = q·2^s + rem), and for Round a proven tie test on the remainder.
enum RoundingOps {
    static let all: [any Operator] = [FloorCeilOp(), RoundOp()]
}

struct RoundOp: Operator {
    let types = ["Round"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let x = try required(node, inputs, 0)
        if case .integer = x { return [x] }
        return [.float(x.doubles.map { $0.rounded(.toNearestOrEven) })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        [.tensor(try quantizer.roundHalfEven(try quantizer.materialize(try required(node, inputs, 0))))]
    }
}

struct FloorCeilOp: Operator {
    let types = ["Floor", "Ceil"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let x = try required(node, inputs, 0)
        if case .integer = x { return [x] }
        return [.float(x.doubles.map { node.type == "Floor" ? $0.rounded(.down) : $0.rounded(.up) })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = quantizer.operand(try required(node, inputs, 0)).expressions
        let floor = node.type == "Floor"
        let id = try quantizer.materialize(.pending(floor ? x : x.map { -$0 }), targetScale: 0, rounding: .floor)
        return [floor ? .tensor(id) : .pending(quantizer.symbols(id).map { -$0 })]
    }
}
