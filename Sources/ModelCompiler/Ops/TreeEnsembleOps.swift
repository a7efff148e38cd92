import Foundation
import ModelIR

/// A tree ensemble of ai.onnx.ml (TreeEnsembleClassifier, TreeEnsembleRegressor), parsed and checked.
///
/// In the circuit, level by level from the roots: each internal node's decision is one proven comparison bit b on its
/// feature (its threshold rounded as `ComparisonOps` describes), and each node carries a reach bit r (1 for a root):
/// a true child gets r·b, a false child r − r·b, so every node costs one comparison (about as many constraints as its
/// feature has bits) and one product, whatever the number of leaves or features. A leaf's scores are its reach bit
/// times constant weights, which is free; the ensemble's scores are their sums.
struct TreeEnsemble {
    enum Mode: String {
        case leq = "BRANCH_LEQ", lt = "BRANCH_LT", gte = "BRANCH_GTE", gt = "BRANCH_GT", eq = "BRANCH_EQ", neq = "BRANCH_NEQ", leaf = "LEAF"

        /// The comparison op a branch applies as `feature op threshold` (NEQ is the complement of Equal).
        var comparison: String {
            switch self {
            case .leq: "LessOrEqual"
            case .lt: "Less"
            case .gte: "GreaterOrEqual"
            case .gt: "Greater"
            default: "Equal"
            }
        }

        func holds(_ x: Double, _ t: Double) -> Bool {
            switch self {
            case .leq: x <= t
            case .lt: x < t
            case .gte: x >= t
            case .gt: x > t
            case .eq: x == t
            case .neq: x != t
            case .leaf: false
            }
        }
    }

    struct TreeNode {
        var feature = 0
        var threshold = 0.0
        var mode = Mode.leaf
        var whenTrue = -1
        var whenFalse = -1
        var weights: [(target: Int, weight: Double)] = []
    }

    enum Aggregate: String { case sum = "SUM", average = "AVERAGE", minimum = "MIN", maximum = "MAX" }

    var nodes: [TreeNode]
    var roots: [Int]
    var targets: Int
    var aggregate: Aggregate
    var base: [Double]
    var depth: Int

    /// The weights' attribute prefix is `class` for the classifier and `target` for the regressor.
    init(_ node: Node, prefix: String, targets: Int) throws(ModelError) {
        func list<T>(_ values: [T]?, _ name: String) throws(ModelError) -> [T] {
            guard let values else { throw node.error("attribute '\(name)' is missing") }
            return values
        }
        let treeIDs = try list(node.ints("nodes_treeids"), "nodes_treeids")
        let nodeIDs = try list(node.ints("nodes_nodeids"), "nodes_nodeids")
        let features = try list(node.ints("nodes_featureids"), "nodes_featureids")
        let thresholds = try list(node.floatsOrTensor("nodes_values"), "nodes_values")
        let modes = try list(node.strings("nodes_modes"), "nodes_modes")
        let trueIDs = try list(node.ints("nodes_truenodeids"), "nodes_truenodeids")
        let falseIDs = try list(node.ints("nodes_falsenodeids"), "nodes_falsenodeids")
        let count = treeIDs.count
        guard [nodeIDs.count, features.count, thresholds.count, modes.count, trueIDs.count, falseIDs.count].allSatisfy({ $0 == count }), count > 0 else {
            throw node.error("the nodes_* attributes must all have the same, non-zero length")
        }
        struct Key: Hashable { var tree: Int, node: Int }
        var index: [Key: Int] = [:]
        for position in 0..<count {
            guard index.updateValue(position, forKey: Key(tree: treeIDs[position], node: nodeIDs[position])) == nil else {
                throw node.error("node \(nodeIDs[position]) of tree \(treeIDs[position]) is defined twice")
            }
        }
        nodes = []
        var referenced = Set<Int>()
        for position in 0..<count {
            guard let mode = Mode(rawValue: modes[position]) else { throw node.error("node mode '\(modes[position])' is not one of BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, LEAF") }
            var treeNode = TreeNode(feature: features[position], threshold: thresholds[position], mode: mode)
            if mode != .leaf {
                guard let t = index[Key(tree: treeIDs[position], node: trueIDs[position])], let f = index[Key(tree: treeIDs[position], node: falseIDs[position])] else {
                    throw node.error("node \(nodeIDs[position]) of tree \(treeIDs[position]) names a child that does not exist")
                }
                guard features[position] >= 0 else { throw node.error("node \(nodeIDs[position]) of tree \(treeIDs[position]) has a negative feature id") }
                (treeNode.whenTrue, treeNode.whenFalse) = (t, f)
                referenced.formUnion([t, f])
            }
            nodes.append(treeNode)
        }
        roots = (0..<count).filter { !referenced.contains($0) }
        let treeCount = Set(treeIDs).count
        guard roots.count == treeCount else { throw node.error("the \(treeCount) trees have \(roots.count) roots (a node is shared or a tree has a cycle)") }

        let weightTrees = try list(node.ints("\(prefix)_treeids"), "\(prefix)_treeids")
        let weightNodes = try list(node.ints("\(prefix)_nodeids"), "\(prefix)_nodeids")
        let weightTargets = try list(node.ints("\(prefix)_ids"), "\(prefix)_ids")
        let weights = try list(node.floatsOrTensor("\(prefix)_weights"), "\(prefix)_weights")
        guard [weightNodes.count, weightTargets.count, weights.count].allSatisfy({ $0 == weightTrees.count }) else {
            throw node.error("the \(prefix)_* attributes must all have the same length")
        }
        for position in weightTrees.indices {
            guard let leaf = index[Key(tree: weightTrees[position], node: weightNodes[position])], nodes[leaf].mode == .leaf else {
                throw node.error("a weight names node \(weightNodes[position]) of tree \(weightTrees[position]), which is not a leaf")
            }
            guard (0..<targets).contains(weightTargets[position]) else {
                throw node.error("a weight is for \(prefix) \(weightTargets[position]), outside 0..<\(targets)")
            }
            nodes[leaf].weights.append((weightTargets[position], weights[position]))
        }
        self.targets = targets
        let aggregateName = try node.string("aggregate_function", default: "SUM")
        guard let aggregate = Aggregate(rawValue: aggregateName) else { throw node.unsupported("aggregate_function", "SUM, AVERAGE, MIN or MAX") }
        self.aggregate = aggregate
        base = try node.floatsOrTensor("base_values") ?? []

        // Depth by walking from the roots; a node reached twice means the graph is not a forest.
        var seen = Set<Int>()
        var frontier = roots
        var levels = 0
        while !frontier.isEmpty {
            var next: [Int] = []
            for member in frontier {
                guard seen.insert(member).inserted else { throw node.error("the trees are not trees (a node is reached twice)") }
                if nodes[member].mode != .leaf { next += [nodes[member].whenTrue, nodes[member].whenFalse] }
            }
            frontier = next
            levels += 1
        }
        depth = levels
        if aggregate == .minimum || aggregate == .maximum {
            guard nodes.allSatisfy({ $0.mode != .leaf || Set($0.weights.map(\.target)).count == targets }) else {
                throw node.error("aggregate_function \(aggregateName) needs every leaf to carry a weight for every target")
            }
        }
    }

    var featureCount: Int { (nodes.filter { $0.mode != .leaf }.map(\.feature).max() ?? -1) + 1 }
    var internalCount: Int { nodes.filter { $0.mode != .leaf }.count }

    /// The leaf one row reaches in the tree at `root`.
    func leaf(_ root: Int, _ row: ArraySlice<Double>) -> Int {
        var current = root
        while nodes[current].mode != .leaf {
            let n = nodes[current]
            // onnxruntime compares the float32 input with the float32 threshold.
            current = n.mode.holds(Double(Float(row[row.startIndex + n.feature])), n.threshold) ? n.whenTrue : n.whenFalse
        }
        return current
    }

    /// The aggregated scores of one row, base values added (one base value for all targets, or one per target).
    func scores(_ row: ArraySlice<Double>) -> [Double] {
        var result = Array(repeating: 0.0, count: targets)
        var perTree: [[Double]] = []
        for root in roots {
            var tree = Array(repeating: 0.0, count: targets)
            for (target, weight) in nodes[leaf(root, row)].weights { tree[target] += weight }
            perTree.append(tree)
        }
        for target in 0..<targets {
            let values = perTree.map { $0[target] }
            switch aggregate {
            case .sum: result[target] = values.reduce(0, +)
            case .average: result[target] = values.reduce(0, +) / Double(roots.count)
            case .minimum: result[target] = values.min() ?? 0
            case .maximum: result[target] = values.max() ?? 0
            }
            result[target] += baseValue(target)
        }
        return result
    }

    func baseValue(_ target: Int) -> Double { base.count == targets ? base[target] : (base.count == 1 ? base[0] : 0) }

    /// Float scores [N, targets] for an input [N, F] (or [F]).
    func evaluate(_ node: Node, _ x: Tensor<Double>) throws(ModelError) -> [[Double]] {
        let (rows, width) = try TreeEnsemble.layout(node, x.shape)
        guard featureCount <= width else { throw node.error("the trees read feature \(featureCount - 1) of \(width)") }
        return (0..<rows).map { scores(x.elements[($0 * width)..<(($0 + 1) * width)]) }
    }

    static func layout(_ node: Node, _ shape: [Int]) throws(ModelError) -> (rows: Int, width: Int) {
        switch shape.count {
        case 1: return (1, shape[0])
        case 2: return (shape[0], shape[1])
        default: throw node.error("needs an input [N, F] or [F], got \(shape)")
        }
    }

    /// The circuit's scores [N, targets], materialized at the activation scale.
    func quantize(_ node: Node, _ input: QuantizedOperand, _ quantizer: inout Quantizer) throws(ModelError) -> Int {
        let x = try quantizer.materialize(input)
        let info = quantizer.info(x)
        let (rows, width) = try TreeEnsemble.layout(node, info.shape)
        guard featureCount <= width else { throw node.error("the trees read feature \(featureCount - 1) of \(width)") }
        func feature(_ row: Int, _ index: Int) -> Expression { Expression(symbol: Expression.symbol(tensor: x, element: row * width + index)) }

        struct Visit { var row: Int, node: Int, reach: Expression }
        var frontier = (0..<rows).flatMap { row in roots.map { Visit(row: row, node: $0, reach: Expression(constant: 1)) } }
        var leaves: [Visit] = []
        while !frontier.isEmpty {
            leaves += frontier.filter { nodes[$0.node].mode == .leaf }
            let branches = frontier.filter { nodes[$0.node].mode != .leaf }
            if branches.isEmpty { break }
            // One comparison step per kind of test on this level.
            var bits = Array(repeating: Expression.zero, count: branches.count)
            for (test, complement) in [(ComparisonStep.Test.nonNegative, false), (.zero, false), (.zero, true)] {
                let members = branches.indices.filter {
                    let mode = nodes[branches[$0].node].mode
                    return test == .nonNegative ? ![.eq, .neq].contains(mode) : (mode == (complement ? .neq : .eq))
                }
                guard !members.isEmpty else { continue }
                let differences = members.map { position in
                    let n = nodes[branches[position].node]
                    return ComparisonOps.thresholdDifference(n.mode.comparison, feature(branches[position].row, n.feature), threshold: n.threshold,
                                                             scale: info.scale, range: info.range)
                }
                let d = try quantizer.materialize(.pending(Tensor(shape: [members.count], elements: differences)), targetScale: info.scale, exact: true)
                let decisions = quantizer.compare(d, test: test, complement: complement, flipMargin: ComparisonOps.flipMargin(errorBound: info.errorBound, scale: info.scale))
                for (k, position) in members.enumerated() { bits[position] = Expression(symbol: Expression.symbol(tensor: decisions, element: k)) }
            }
            // Reach bits of the next level: r·b and r − r·b (the product is shared within the step).
            var children: [Visit] = []
            var reaches: [Expression] = []
            for (position, visit) in branches.enumerated() {
                let taken = visit.reach.constantValue == 1 ? bits[position] : visit.reach * bits[position]
                let n = nodes[visit.node]
                children += [Visit(row: visit.row, node: n.whenTrue, reach: .zero), Visit(row: visit.row, node: n.whenFalse, reach: .zero)]
                reaches += [taken, visit.reach - taken]
            }
            let reach = try quantizer.materialize(.pending(Tensor(shape: [reaches.count], elements: reaches)), targetScale: 0, exact: true)
            quantizer.markBoolean(reach)
            for k in children.indices { children[k].reach = Expression(symbol: Expression.symbol(tensor: reach, element: k)) }
            frontier = children
        }

        // Scores: Σ over a row's leaves of reach · weight, per tree for MIN and MAX.
        let coefficientBits = max(16, quantizer.settings.activationScale + 8)
        let treeOf = Dictionary(uniqueKeysWithValues: roots.enumerated().flatMap { tree, root in subtree(root).map { ($0, tree) } })
        let perTree = aggregate == .minimum || aggregate == .maximum
        let groups = perTree ? roots.count : 1
        var sums = Array(repeating: Expression.zero, count: rows * groups * targets)
        for visit in leaves {
            let group = perTree ? treeOf[visit.node]! : 0
            for (target, weight) in nodes[visit.node].weights {
                sums[(visit.row * groups + group) * targets + target] += visit.reach.scaled(by: aggregate == .average ? weight / Double(roots.count) : weight)
            }
        }
        if !perTree {
            for row in 0..<rows {
                for target in 0..<targets { sums[row * targets + target] += Expression(constant: baseValue(target)) }
            }
            return try quantizer.materialize(.pending(Tensor(shape: [rows, targets], elements: sums)), coefficientBits: coefficientBits)
        }
        let trees = try quantizer.materialize(.pending(Tensor(shape: [sums.count], elements: sums)), coefficientBits: coefficientBits)
        let windows = (0..<(rows * targets)).map { position in
            (0..<groups).map { tree in Expression.symbol(tensor: trees, element: ((position / targets) * groups + tree) * targets + position % targets) }
        }
        let extreme = try quantizer.maximum(windows, shape: [rows, targets], negate: aggregate == .minimum)
        guard base.contains(where: { $0 != 0 }) else { return extreme }
        let shifted = quantizer.symbols(extreme).elements.enumerated().map { $1 + Expression(constant: baseValue($0 % targets)) }
        return try quantizer.materialize(.pending(Tensor(shape: [rows, targets], elements: shifted)))
    }

    func subtree(_ root: Int) -> [Int] {
        var result: [Int] = []
        var stack = [root]
        while let member = stack.popLast() {
            result.append(member)
            if nodes[member].mode != .leaf { stack += [nodes[member].whenTrue, nodes[member].whenFalse] }
        }
        return result
    }
}

/// TreeEnsembleClassifier and TreeEnsembleRegressor (ai.onnx.ml 1 and 3). Missing-value tracks and hit rates are
/// accepted and have no effect: fixed-point inputs are never NaN.
struct TreeEnsembleOp: Operator {
    let types = ["TreeEnsembleClassifier", "TreeEnsembleRegressor"]

    static let common: Set<String> = [
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_values_as_tensor", "nodes_modes", "nodes_truenodeids",
        "nodes_falsenodeids", "nodes_missing_value_tracks_true", "nodes_hitrates", "nodes_hitrates_as_tensor", "base_values", "base_values_as_tensor",
        "post_transform",
    ]

    func parse(_ node: Node) throws(ModelError) -> (TreeEnsemble, ClassifierHead?, PostTransform) {
        let post = try PostTransform(node)
        if node.type == "TreeEnsembleRegressor" {
            try node.allow(TreeEnsembleOp.common.union(["target_treeids", "target_nodeids", "target_ids", "target_weights", "target_weights_as_tensor",
                                                        "n_targets", "aggregate_function"]))
            let ensemble = try TreeEnsemble(node, prefix: "target", targets: try node.int("n_targets", default: 1))
            return (ensemble, nil, post)
        }
        try node.allow(TreeEnsembleOp.common.union(["class_treeids", "class_nodeids", "class_ids", "class_weights", "class_weights_as_tensor",
                                                    "classlabels_int64s", "classlabels_strings"]))
        let labels = try ClassifierHead.labels(node, intsKey: "classlabels_int64s")
        let classIDs = Set(try node.ints("class_ids", default: []))
        let weights = try node.floatsOrTensor("class_weights") ?? []
        let base = try node.floatsOrTensor("base_values") ?? []
        if labels.count == 2 && classIDs.count == 1 {
            // onnxruntime's binary case: one score s (of class 0) plus one base value.
            guard classIDs == [0], base.count <= 1 else { throw node.error("a two-class ensemble with weights for class \(classIDs.sorted()) and \(base.count) base values is not supported") }
            let ensemble = try TreeEnsemble(node, prefix: "class", targets: 1)
            if weights.allSatisfy({ $0 >= 0 }) {
                return (ensemble, ClassifierHead(labels: labels, labelRule: .above(column: 0, threshold: 0.5), scoreRule: .complement, post: post), post)
            }
            return (ensemble, ClassifierHead(labels: labels, labelRule: .above(column: 0, threshold: 0), scoreRule: post == .none ? .negation : .complement, post: post), post)
        }
        let ensemble = try TreeEnsemble(node, prefix: "class", targets: labels.count)
        if labels.count == 2 {
            guard base.allSatisfy({ $0 == 0 }) else { throw node.error("a two-class ensemble with weights for both classes and non-zero base values is not supported") }
            return (ensemble, ClassifierHead(labels: labels, labelRule: .above(column: 1, threshold: 0), scoreRule: .transformed, post: post), post)
        }
        return (ensemble, ClassifierHead(labels: labels, labelRule: .argmax, scoreRule: .transformed, post: post), post)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let (ensemble, head, post) = try parse(node)
        let scores = try ensemble.evaluate(node, try required(node, inputs, 0).doubles)
        if let head { return head.evaluate(scores) }
        return [.float(Tensor(shape: [scores.count, ensemble.targets], elements: scores.flatMap(post.apply)))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let (ensemble, head, post) = try parse(node)
        let scores = try ensemble.quantize(node, try required(node, inputs, 0), &quantizer)
        if let head { return try head.quantize(node, scores, &quantizer) }
        return [try post.quantize(node, scores, &quantizer)]
    }

    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        let rows = inputs.first??.shape.first ?? 1
        return rows * ((try? node.ints("nodes_treeids"))??.count ?? 1) * 64
    }
}
