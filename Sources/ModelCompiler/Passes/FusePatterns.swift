import Foundation
import ModelIR

/// Rewrites the decomposed forms exporters write for functions the compiler proves as one table: GELU as
/// x·0.5·(1 + erf(x/√2)) (TorchScript's nn.GELU) or x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (its tanh form, and
/// GPT-2's hand-written one, with x³ as Pow or two products) becomes a Gelu node, so its error is the table's rather
/// than the erf's times |x|, and x³ costs nothing.
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

        /// The chain's head when `name` is single-read and made by `type` from x and the scalar `value`.
        func scaled(_ name: String, _ type: String, by value: Double) -> (node: Int, x: String)? {
            guard single(name), let index = producer[name], graph.nodes[index].type == type,
                  let x = operand(of: graph.nodes[index], withConstant: value) else { return nil }
            return (index, x)
        }
        /// x³ as Pow(x, 3) or x·(x·x): its nodes.
        func cube(_ name: String, of x: String) -> [Int]? {
            guard single(name), let index = producer[name] else { return nil }
            let node = graph.nodes[index]
            if node.type == "Pow", node.inputs.first == x, let exponent = constant(node.inputs[1]), exponent == 3 { return [index] }
            guard node.type == "Mul", node.inputs.count == 2, node.inputs.contains(x) else { return nil }
            let square = node.inputs[0] == x ? node.inputs[1] : node.inputs[0]
            guard single(square), let inner = producer[square], graph.nodes[inner].type == "Mul",
                  graph.nodes[inner].inputs == [x, x] else { return nil }
            return [inner, index]
        }
        /// The argument of the erf (x/√2) or the tanh (√(2/π)·(x + 0.044715·x³)): x and the nodes computing it.
        func argument(of core: Node) -> (x: String, nodes: [Int], approximate: String)? {
            let name = core.inputs[0]
            if core.type == "Erf" {
                if let (index, x) = scaled(name, "Div", by: 2.0.squareRoot()), graph.nodes[index].inputs[0] == x { return (x, [index], "none") }
                if let (index, x) = scaled(name, "Mul", by: 1 / 2.0.squareRoot()) { return (x, [index], "none") }
                return nil
            }
            guard let (outer, sum) = scaled(name, "Mul", by: (2 / Double.pi).squareRoot()), single(sum),
                  let addIndex = producer[sum], graph.nodes[addIndex].type == "Add", graph.nodes[addIndex].inputs.count == 2 else { return nil }
            let terms = graph.nodes[addIndex].inputs
            for (x, scaledCube) in [(terms[0], terms[1]), (terms[1], terms[0])] {
                guard let (kappa, cubed) = scaled(scaledCube, "Mul", by: 0.044715), let cubeNodes = cube(cubed, of: x) else { continue }
                return (x, cubeNodes + [kappa, addIndex, outer], "tanh")
            }
            return nil
        }

        var removed = Set<Int>()
        var replacements: [Int: Node] = [:]
        for (index, core) in graph.nodes.enumerated() where core.type == "Erf" || core.type == "Tanh" {
            guard let (x, argumentNodes, approximate) = argument(of: core) else { continue }
            // Add(core, 1) → Mul(x, ·) → Mul(·, 0.5), or the half applied to x first.
            guard single(core.outputs[0]), let addIndex = consumer(of: core.outputs[0]), graph.nodes[addIndex].type == "Add",
                  operand(of: graph.nodes[addIndex], withConstant: 1) == core.outputs[0], single(graph.nodes[addIndex].outputs[0]),
                  let productIndex = consumer(of: graph.nodes[addIndex].outputs[0]), graph.nodes[productIndex].type == "Mul" else { continue }
            let product = graph.nodes[productIndex]
            let sum = graph.nodes[addIndex].outputs[0]
            guard let other = product.inputs.first(where: { $0 != sum }), product.inputs.count == 2 else { continue }
            var chain = argumentNodes + [index, addIndex, productIndex]
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
            guard chain.allSatisfy({ !removed.contains($0) && replacements[$0] == nil }) else { continue }
            let last = chain.max()!
            for position in chain where position != last { removed.insert(position) }
            replacements[last] = Node(name: core.name + ".gelu", type: "Gelu", inputs: [x], outputs: [output],
                                      attributes: approximate == "tanh" ? ["approximate": .string("tanh")] : [:])
            result.notes.append("GELU pattern at '\(core.name)' proved as one Gelu table\(approximate == "tanh" ? " (tanh form)" : "")")
        }
        guard !replacements.isEmpty else { return prepared }
        graph.nodes = graph.nodes.indices.compactMap { removed.contains($0) ? nil : (replacements[$0] ?? graph.nodes[$0]) }
        result.graph = graph
        return result
    }
}
