import Foundation
import ModelIR

/// Smooth activations and transcendental functions, each a `RealFunction` proved through a fitted polynomial table
/// (`Quantizer.function`) whose error is measured over every input of the proven range.
enum ActivationOps {
    static let all: [any Operator] = [TableFunctionOp()]
}

struct TableFunctionOp: Operator {
    let types = ["Exp", "Log", "Sigmoid", "Tanh", "Erf", "Gelu", "Softplus", "Elu", "Selu", "Celu", "Mish", "Sin", "Cos"]

    func function(_ node: Node) throws(ModelError) -> RealFunction {
        switch node.type {
        case "Exp": try node.allow([]); return RealFunction(.exp)
        case "Log": try node.allow([]); return RealFunction(.log)
        case "Sigmoid": try node.allow([]); return RealFunction(.sigmoid)
        case "Tanh": try node.allow([]); return RealFunction(.tanh)
        case "Erf": try node.allow([]); return RealFunction(.erf)
        case "Softplus": try node.allow([]); return RealFunction(.softplus)
        case "Mish": try node.allow([]); return RealFunction(.mish)
        case "Sin": try node.allow([]); return RealFunction(.sin)
        case "Cos": try node.allow([]); return RealFunction(.cos)
        case "Gelu":
            try node.allow(["approximate"])
            switch try node.string("approximate", default: "none") {
            case "none": return RealFunction(.gelu)
            case "tanh": return RealFunction(.geluTanh)
            case let other: throw node.unsupported("approximate", "'none' or 'tanh', not '\(other)'")
            }
        case "Elu":
            try node.allow(["alpha"])
            return RealFunction(.elu, alpha: try node.float("alpha", default: 1))
        case "Celu":
            try node.allow(["alpha"])
            let alpha = try node.float("alpha", default: 1)
            guard alpha > 0 else { throw node.unsupported("alpha", "a positive value") }
            return RealFunction(.celu, alpha: alpha)
        default:
            try node.allow(["alpha", "gamma"])
            return RealFunction(.selu, alpha: try node.float("alpha", default: 1.67326319217681884765625),
                                gamma: try node.float("gamma", default: 1.05070102214813232421875))
        }
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let f = try function(node)
        return [.float(try required(node, inputs, 0).doubles.map { f($0) })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try required(node, inputs, 0)
        if case let .constant(constant) = x { return try folded(node, [Operand(constant)]) }
        let id = try quantizer.materialize(x)
        return [.tensor(try quantizer.function(id, try function(node)))]
    }
}
