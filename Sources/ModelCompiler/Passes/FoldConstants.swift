import ModelIR

/// A graph after constant folding and shape inference: only nodes that depend on a graph input remain, and every
/// tensor they read or write has a static type.
public struct PreparedGraph: Sendable {
    public var graph: Graph
    public var types: [String: TensorType]
    /// For each graph output: the tensor the circuit proves and, when that is not the output itself, why.
    public var proved: [String: (tensor: String, note: String)] = [:]
    /// What the passes changed, in words.
    public var notes: [String] = []
    /// About how many terms the kept nodes handle (see `Operator.work`).
    public var work = 0
    /// Final nodes the circuit does not prove (a dropped Softmax); the float interpreter still runs them.
    public var dropped: [Node] = []
}

/// The fold pass: evaluates every node whose inputs are all known at compile time (and Shape/Size of static
/// shapes), so the shape-computing subgraphs exporters emit disappear; infers and checks every other node's output
/// types by evaluating it on placeholders.
public enum FoldConstants {
    public static func run(_ graph: Graph) throws(ModelError) -> PreparedGraph {
        var constants = graph.constants
        var types: [String: TensorType] = [:]
        for input in graph.inputs {
            guard input.type.shape.allSatisfy({ $0 >= 1 }) else {
                throw ModelError("input '\(input.name)' has shape \(input.type.shape); every dimension must be positive")
            }
            types[input.name] = input.type
        }
        var kept: [Node] = []
        var names = Set<String>()
        var folded = 0
        var work = 0
        for node in graph.nodes {
            guard names.insert(node.name).inserted else { throw ModelError(node: node.name, "the node name is used twice") }
            guard let op = OperatorTable.lookup(node.type) else {
                throw ModelError(node: node.name, "unsupported op type '\(node.type)'")
            }
            var operands: [Operand?] = []
            var allConstant = true
            for name in node.inputs {
                if name.isEmpty { operands.append(nil); continue }
                if let constant = constants[name] {
                    operands.append(Operand(constant))
                } else if let type = types[name] {
                    allConstant = false
                    operands.append(placeholder(type))
                } else {
                    throw node.error("input '\(name)' is not a graph input, an initializer or the output of an earlier node")
                }
            }
            let outputs = try op.evaluate(node, operands)
            for (index, name) in node.outputs.enumerated() where !name.isEmpty {
                guard constants[name] == nil && types[name] == nil else { throw node.error("tensor '\(name)' is produced twice") }
                guard index < outputs.count else { continue }
                if allConstant || op.dependsOnlyOnTypes {
                    guard let constant = outputs[index].constant else { throw node.error("output \(index) could not be computed at compile time") }
                    constants[name] = constant
                } else {
                    types[name] = outputs[index].type
                }
            }
            if allConstant || op.dependsOnlyOnTypes {
                folded += 1
            } else {
                kept.append(node)
                work += op.work(node, inputs: operands.map { $0?.type }, outputs: outputs.map(\.type))
            }
        }
        for output in graph.outputs where types[output] == nil && constants[output] == nil {
            throw ModelError("the graph output '\(output)' is never produced")
        }
        // Keep only the constants the remaining nodes (or outputs) read.
        let used = Set(kept.flatMap(\.inputs) + graph.outputs)
        var result = graph
        result.nodes = kept
        result.constants = constants.filter { used.contains($0.key) }
        var prepared = PreparedGraph(graph: result, types: types)
        prepared.work = work
        if folded > 0 { prepared.notes.append("\(folded) nodes folded at compile time") }
        return prepared
    }

    /// Zeros of a type: what op evaluation sees for a tensor known only by its type.
    static func placeholder(_ type: TensorType) -> Operand {
        type.elementType == .float
            ? .float(Tensor(shape: type.shape, repeating: 0))
            : .integer(Tensor(shape: type.shape, repeating: 0), type.elementType)
    }
}
