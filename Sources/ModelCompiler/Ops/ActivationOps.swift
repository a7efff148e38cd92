import Foundation
import ModelIR

/// Sigmoid and Tanh through piecewise-linear tables with exhaustively computed error; Softmax is evaluated (float) but
/// proved only as a dropped final node (its logits).
enum ActivationOps {
    static let all: [any Operator] = [SigmoidTanhOp(), SoftmaxOp()]
}

struct SigmoidTanhOp: Operator {
    let types = ["Sigmoid", "Tanh"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let function: ActivationFunction = node.type == "Sigmoid" ? .sigmoid : .tanh
        return [.float(try required(node, inputs, 0).doubles.map { function($0) })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let id = try quantizer.materialize(try required(node, inputs, 0))
        return [.tensor(try quantizer.piecewise(id, function: node.type == "Sigmoid" ? .sigmoid : .tanh))]
    }
}

struct SoftmaxOp: Operator {
    let types = ["Softmax", "LogSoftmax"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["axis", "coerce_2d"])
        let x = try required(node, inputs, 0).doubles
        guard let axis = Shape.normalize(axis: try node.int("axis", default: -1), rank: x.rank) else { throw node.error("axis out of range for \(x.shape)") }
        // Before opset 13 (normalized on import): over every axis from `axis` on.
        let axes = try node.int("coerce_2d", default: 0) == 1 ? Array(axis..<x.rank) : [axis]
        let plan = try ReductionOps.plan(Node(name: node.name, type: node.type, inputs: [], outputs: []), shape: x.shape, axes: axes)
        var result = x
        for group in plan.groups {
            let largest = group.map { x.elements[$0] }.max() ?? 0
            let sum = group.reduce(0.0) { $0 + Foundation.exp(x.elements[$1] - largest) }
            for index in group {
                let shifted = x.elements[index] - largest
                result.elements[index] = node.type == "Softmax" ? Foundation.exp(shifted) / sum : shifted - Foundation.log(sum)
            }
        }
        return [.float(result)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        throw node.error("\(node.type) is supported only as the final node, where its logits are proved (proving it needs exp, the next release)")
    }
}
