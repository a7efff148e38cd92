import Foundation
import ModelIR

/// Rewrites the decomposed forms exporters write for functions the compiler proves as one table: GELU as
/// x·0.5·(1 + erf(x/√2)) (TorchScript's nn.GELU) becomes a Gelu node, so its error is the table's rather than the erf's
/// times |x|.
public enum FusePatterns {
    public static func run(_ prepared: PreparedGraph) -> PreparedGraph {
        var result = prepared
        var graph = prepared.graph
        let consumers = graph.consumerCounts
        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() { for output in node.outputs { producer[output] = index } }

        func constant(_ name: String) -> Double? {
            guard let tensor = graph.constants[name], tensor.shape.reduce(1, *) == 1 else { return nil }
            return tensor.doubles.first
        }
        /// The other input of a binary node when one input is the scalar constant `value`.
        func operand(of node: Node, withConstant value: Double) -> String? {
            guard node.inputs.count == 2 else { return nil }
            if let c = constant(node.inputs[1]), abs(c - value) < 1e-6 { return node.inputs[0] }
            if let c = constant(node.inputs[0]), abs(c - value) < 1e-6 { return node.inputs[1] }
            return nil
        }
        var firstReader: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() { for input in node.inputs where firstReader[input] == nil { firstReader[input] = index } }
        func single(_ name: String) -> Bool { consumers[name] == 1 && !graph.outputs.contains(name) }
        /// The node reading `name` (only asked of single-reader values).
        func consumer(of name: String) -> Int? { firstReader[name] }

        var removed = Set<Int>()
        var replacements: [Int: Node] = [:]
        for (index, erf) in graph.nodes.enumerated() where erf.type == "Erf" {
            guard let scaling = producer[erf.inputs[0]].map({ graph.nodes[$0] }), single(erf.inputs[0]) else { continue }
            let x: String
            if scaling.type == "Div", let input = operand(of: scaling, withConstant: 2.0.squareRoot()), scaling.inputs[0] == input {
                x = input
            } else if scaling.type == "Mul", let input = operand(of: scaling, withConstant: 1 / 2.0.squareRoot()) {
                x = input
            } else { continue }
            // Add(erf, 1) → Mul(x, ·) → Mul(·, 0.5), or the half applied to x first.
            guard single(erf.outputs[0]), let addIndex = consumer(of: erf.outputs[0]), graph.nodes[addIndex].type == "Add",
                  operand(of: graph.nodes[addIndex], withConstant: 1) == erf.outputs[0], single(graph.nodes[addIndex].outputs[0]),
                  let productIndex = consumer(of: graph.nodes[addIndex].outputs[0]), graph.nodes[productIndex].type == "Mul" else { continue }
            let product = graph.nodes[productIndex]
            let sum = graph.nodes[addIndex].outputs[0]
            guard let other = product.inputs.first(where: { $0 != sum }), product.inputs.count == 2 else { continue }
            var chain = [producer[erf.inputs[0]]!, index, addIndex, productIndex]
            var output: String
            if other == x {
                guard single(product.outputs[0]), let halfIndex = consumer(of: product.outputs[0]), graph.nodes[halfIndex].type == "Mul",
                      operand(of: graph.nodes[halfIndex], withConstant: 0.5) == product.outputs[0] else { continue }
                chain.append(halfIndex)
                output = graph.nodes[halfIndex].outputs[0]
            } else if let halfIndex = producer[other], graph.nodes[halfIndex].type == "Mul", single(other),
                      operand(of: graph.nodes[halfIndex], withConstant: 0.5) == x {
                chain.append(halfIndex)
                output = product.outputs[0]
            } else { continue }
            let last = chain.max()!
            for position in chain where position != last { removed.insert(position) }
            replacements[last] = Node(name: erf.name + ".gelu", type: "Gelu", inputs: [x], outputs: [output])
            result.notes.append("GELU pattern at '\(erf.name)' proved as one Gelu table")
        }
        guard !replacements.isEmpty else { return prepared }
        graph.nodes = graph.nodes.indices.compactMap { removed.contains($0) ? nil : (replacements[$0] ?? graph.nodes[$0]) }
        result.graph = graph
        return result
    }
}
