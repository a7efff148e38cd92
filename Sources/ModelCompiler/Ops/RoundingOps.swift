import Gadgets
import ModelIR

/// Floor and Ceil of fixed-point values: one exact rescale to scale 0 (floor(x) = q with x = q·2^s + rem).
enum RoundingOps {
    static let all: [any Operator] = [FloorCeilOp()]
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
