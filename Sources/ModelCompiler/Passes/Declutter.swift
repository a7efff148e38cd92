import Foundation
import ModelIR

/// The declutter pass: folds BatchNormalization into the Conv or Gemm before it (or rewrites it as Mul and Add, so
/// committed weights can hold its factors), on request drops a final Softmax or LogSoftmax, proving its logits, and
/// fuses decomposed patterns (`FusePatterns`).
public enum Declutter {
    public static func run(_ prepared: PreparedGraph, dropFinalSoftmax: Bool = false) throws(ModelError) -> PreparedGraph {
        var result = prepared
        var graph = prepared.graph
        let consumers = graph.consumerCounts
        var nodes: [Node] = []
        for node in graph.nodes {
            guard node.type == "BatchNormalization" else { nodes.append(node); continue }
            let (factor, shift) = try batchNormFactors(node, graph.constants)
            if let previous = nodes.indices.last, nodes[previous].outputs.first == node.inputs[0], consumers[node.inputs[0]] == 1,
               let merged = fold(factor, shift, into: nodes[previous], graph: &graph, output: node.outputs[0]) {
                nodes[previous] = merged
                nodes[previous].name += "+" + node.name
                continue
            }
            // A per-channel affine x·f + g, channels on axis 1.
            let rank = prepared.types[node.inputs[0]]?.shape.count ?? 2
            let shape = [factor.count] + Array(repeating: 1, count: max(0, rank - 2))
            let factorName = node.name + ".factor"
            let shiftName = node.name + ".shift"
            graph.constants[factorName] = .float(Tensor(shape: shape, elements: factor))
            graph.constants[shiftName] = .float(Tensor(shape: shape, elements: shift))
            let scaled = node.name + ".scaled"
            nodes.append(Node(name: node.name, type: "Mul", inputs: [node.inputs[0], factorName], outputs: [scaled]))
            nodes.append(Node(name: node.name + ".add", type: "Add", inputs: [scaled, shiftName], outputs: [node.outputs[0]]))
            result.types[scaled] = result.types[node.outputs[0]]
        }
        graph.nodes = normalizedProbabilities(nodes, &result.notes)
        if dropFinalSoftmax {
            for output in graph.outputs {
                guard let position = graph.nodes.lastIndex(where: { $0.outputs.first == output }), ["Softmax", "LogSoftmax"].contains(graph.nodes[position].type),
                      consumers[output] == 1 else { continue }
                let logits = graph.nodes[position].inputs[0]
                result.proved[output] = (logits, "logits: \(graph.nodes[position].type) dropped (--final-softmax logits), the argmax is unchanged")
                result.notes.append("final \(graph.nodes[position].type) '\(graph.nodes[position].name)' dropped (--final-softmax logits): the circuit proves its logits")
                result.dropped.append(graph.nodes.remove(at: position))
            }
        }
        result.graph = graph
        return FusePatterns.run(result)
    }

    /// An L1 Normalizer of probabilities that a softmax made (skl2onnx's LogisticRegression writes one) divides by a
    /// sum that is 1, so it becomes an Identity: dividing by the proven sum would need a range that excludes zero.
    static func normalizedProbabilities(_ nodes: [Node], _ notes: inout [String]) -> [Node] {
        var softmaxOutputs = Set<String>()
        for node in nodes {
            let post = (try? node.string("post_transform", default: "NONE")) ?? "NONE"
            if node.type == "Softmax", (try? node.int("axis", default: -1)) == -1 { softmaxOutputs.formUnion(node.outputs.prefix(1)) }
            if ["LinearClassifier", "TreeEnsembleClassifier"].contains(node.type), post == "SOFTMAX", node.outputs.count > 1 { softmaxOutputs.insert(node.outputs[1]) }
        }
        return nodes.map { node in
            guard node.type == "Normalizer", (try? node.string("norm", default: "MAX")) == "L1", let input = node.inputs.first,
                  softmaxOutputs.contains(input) else { return node }
            notes.append("Normalizer '\(node.name)' (L1 of softmax probabilities, whose sum is 1) is the identity")
            return Node(name: node.name, type: "Identity", inputs: [input], outputs: node.outputs)
        }
    }

    /// scale/√(var + ε) and bias − mean·factor per channel.
    static func batchNormFactors(_ node: Node, _ constants: [String: ConstantTensor]) throws(ModelError) -> ([Double], [Double]) {
        var values: [[Double]] = []
        for position in 1...4 {
            guard let name = node.input(position), let constant = constants[name] else {
                throw node.error("input \(position) (scale, bias, mean, variance) must be a constant")
            }
            values.append(constant.doubles)
        }
        let epsilon = try node.float("epsilon", default: 1e-5)
        let channels = values[0].count
        guard values.allSatisfy({ $0.count == channels }) else { throw node.error("scale, bias, mean and variance need one value per channel") }
        guard values[3].allSatisfy({ $0 + epsilon > 0 }) else { throw node.error("variance + epsilon must be positive") }
        let factor = (0..<channels).map { values[0][$0] / (values[3][$0] + epsilon).squareRoot() }
        let shift = (0..<channels).map { values[1][$0] - values[2][$0] * factor[$0] }
        return (factor, shift)
    }

    /// The Conv or Gemm with the per-output-channel affine folded into its constant weight and bias.
    private static func fold(_ factor: [Double], _ shift: [Double], into node: Node, graph: inout Graph, output: String) -> Node? {
        guard node.type == "Conv" || (node.type == "Gemm" && (try? node.int("transA", default: 0)) == 0),
              let weightName = node.input(1), case let .float(weight)? = graph.constants[weightName] else { return nil }
        let channels = factor.count
        var folded = weight
        if node.type == "Conv" {
            guard weight.shape.first == channels else { return nil }
            let perChannel = weight.count / channels
            for index in folded.elements.indices { folded.elements[index] *= factor[index / perChannel] }
        } else {
            guard weight.rank == 2 else { return nil }
            let transposed = (try? node.int("transB", default: 0)) == 1
            guard (transposed ? weight.shape[0] : weight.shape[1]) == channels else { return nil }
            for index in folded.elements.indices {
                let channel = transposed ? index / weight.shape[1] : index % weight.shape[1]
                folded.elements[index] *= factor[channel]
            }
            let alpha = (try? node.float("alpha", default: 1)) ?? 1
            let beta = (try? node.float("beta", default: 1)) ?? 1
            guard alpha == 1, beta == 1 || node.input(2) == nil else { return nil }
        }
        var bias = [Double](repeating: 0, count: channels)
        if let biasName = node.input(2) {
            guard let constant = graph.constants[biasName], constant.shape.reduce(1, *) == channels || constant.shape.reduce(1, *) == 1 else { return nil }
            let values = constant.doubles
            bias = (0..<channels).map { values.count == 1 ? values[0] : values[$0] }
        }
        let foldedBias = (0..<channels).map { bias[$0] * factor[$0] + shift[$0] }
        var merged = node
        let weightKey = node.name + ".folded.weight"
        let biasKey = node.name + ".folded.bias"
        graph.constants[weightKey] = .float(folded)
        graph.constants[biasKey] = .float(Tensor(shape: [channels], elements: foldedBias))
        merged.inputs = [node.inputs[0], weightKey, biasKey]
        merged.outputs = [output]
        return merged
    }
}
