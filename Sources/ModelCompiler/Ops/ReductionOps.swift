import ModelIR

/// Reductions over any axes with keepdims: sums and means are linear, squares cost one product per element,
/// max and min use the maximum gadget, ArgMax and ArgMin a constrained one-hot vector.
enum ReductionOps {
    static let all: [any Operator] = [ReduceLinearOp(), ReduceSelectOp(), ArgMaxOp(), ReduceNormOp()]

    struct Plan {
        var shape: [Int]
        /// Per output element, the flat input indices it reduces.
        var groups: [[Int]]
    }

    /// The reduced axes from input 1 (opset 13/18+) or the `axes` attribute; empty means all unless noop_with_empty_axes.
    static func plan(_ node: Node, shape: [Int], axes given: [Int]?) throws(ModelError) -> Plan {
        let keep = try node.int("keepdims", default: 1) == 1
        var requested = given ?? []
        if given == nil, let attribute = try node.ints("axes") { requested = attribute }
        var axes = try normalizeAxes(node, requested, rank: shape.count)
        if axes.isEmpty {
            if try node.int("noop_with_empty_axes", default: 0) == 1 {
                return Plan(shape: shape, groups: (0..<Shape.count(shape)).map { [$0] })
            }
            axes = Array(shape.indices)
        }
        let reduced = Set(axes)
        let output = shape.indices.compactMap { reduced.contains($0) ? (keep ? 1 : nil) : shape[$0] }
        let kept = shape.indices.filter { !reduced.contains($0) }
        let keptShape = kept.map { shape[$0] }
        let keptStrides = Shape.strides(keptShape)
        var groups = [[Int]](repeating: [], count: Shape.count(keptShape))
        let strides = Shape.strides(shape)
        for flat in 0..<Shape.count(shape) {
            var target = 0
            for (position, axis) in kept.enumerated() { target += ((flat / strides[axis]) % shape[axis]) * keptStrides[position] }
            groups[target].append(flat)
        }
        return Plan(shape: output, groups: groups)
    }
}

struct ReduceLinearOp: PolynomialOperator {
    let types = ["ReduceSum", "ReduceMean", "ReduceSumSquare"]
    var isContraction: Bool { true }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["axes", "keepdims", "noop_with_empty_axes"])
        let x = try required(node, inputs, 0)
        let plan = try ReductionOps.plan(node, shape: x.shape, axes: try constantIntegers(node, inputs.count > 1 ? inputs[1] : nil, what: "axes"))
        let elements = plan.groups.map { group -> T in
            var sum = T.zero
            for index in group { sum += node.type == "ReduceSumSquare" ? x.elements[index] * x.elements[index] : x.elements[index] }
            return node.type == "ReduceMean" ? sum.scaled(by: 1 / Double(max(group.count, 1))) : sum
        }
        return [Tensor(shape: plan.shape, elements: elements)]
    }
}

/// ReduceL1 (Σ|x|, |x| as 2·relu(x) − x) and ReduceL2 (√Σx², the exact square root), over axes with keepdims.
struct ReduceNormOp: Operator {
    let types = ["ReduceL1", "ReduceL2"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["axes", "keepdims", "noop_with_empty_axes"])
        let x = try required(node, inputs, 0).doubles
        let plan = try ReductionOps.plan(node, shape: x.shape, axes: try constantIntegers(node, inputs, 1, what: "axes"))
        let values = plan.groups.map { group in
            node.type == "ReduceL1"
                ? group.reduce(0.0) { $0 + abs(x.elements[$1]) }
                : group.reduce(0.0) { $0 + x.elements[$1] * x.elements[$1] }.squareRoot()
        }
        return [.float(Tensor(shape: plan.shape, elements: values))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try node.allow(["axes", "keepdims", "noop_with_empty_axes"])
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        let x = try required(node, inputs, 0)
        if case .constant = x { return try folded(node, operands.map { $0.flatMap { $0.constant.map(Operand.init) } }) }
        let plan = try ReductionOps.plan(node, shape: quantizer.shape(x), axes: try constantIntegers(node, operands, 1, what: "axes"))
        if node.type == "ReduceL1" {
            let id = try AbsOp.magnitudes(x, &quantizer)
            let symbols = quantizer.symbols(id)
            return [.pending(Tensor(shape: plan.shape, elements: plan.groups.map { $0.reduce(Expression.zero) { $0 + symbols.elements[$1] } }))]
        }
        let id = try quantizer.materialize(x)
        let symbols = quantizer.symbols(id)
        let squares = Tensor(shape: plan.shape, elements: plan.groups.map { group in
            group.reduce(Expression.zero) { $0 + symbols.elements[$1] * symbols.elements[$1] }
        })
        let sum = try quantizer.materialize(.pending(squares), targetScale: 2 * quantizer.info(id).scale, exact: true)
        // A sum of squares (interval arithmetic sees x·x as possibly negative).
        quantizer.narrowRange(sum, to: 0...Int.max)
        return [.tensor(try quantizer.squareRoot(.tensor(sum)))]
    }
}

struct ReduceSelectOp: Operator {
    let types = ["ReduceMax", "ReduceMin"]

    func plan(_ node: Node, _ inputs: [Operand?], shape: [Int]) throws(ModelError) -> ReductionOps.Plan {
        try node.allow(["axes", "keepdims", "noop_with_empty_axes"])
        let plan = try ReductionOps.plan(node, shape: shape, axes: try constantIntegers(node, inputs, 1, what: "axes"))
        guard plan.groups.allSatisfy({ !$0.isEmpty }) else { throw node.error("reduces an empty axis") }
        return plan
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0)
        let plan = try plan(node, inputs, shape: x.shape)
        let isMax = node.type == "ReduceMax"
        if case let .integer(tensor, type) = x {
            return [.integer(Tensor(shape: plan.shape, elements: plan.groups.map { g in isMax ? g.map { tensor.elements[$0] }.max()! : g.map { tensor.elements[$0] }.min()! }), type)]
        }
        let values = x.doubles.elements
        return [.float(Tensor(shape: plan.shape, elements: plan.groups.map { g in isMax ? g.map { values[$0] }.max()! : g.map { values[$0] }.min()! }))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let id = try quantizer.materialize(try required(node, inputs, 0))
        let plan = try plan(node, inputs.map { $0.map { quantizer.operand($0) } }, shape: quantizer.info(id).shape)
        let windows = plan.groups.map { $0.map { Expression.symbol(tensor: id, element: $0) } }
        return [.tensor(try quantizer.maximum(windows, shape: plan.shape, negate: node.type == "ReduceMin"))]
    }
}

struct ArgMaxOp: Operator {
    let types = ["ArgMax", "ArgMin"]

    func plan(_ node: Node, shape: [Int]) throws(ModelError) -> ReductionOps.Plan {
        try node.allow(["axis", "keepdims", "select_last_index"])
        guard let axis = Shape.normalize(axis: try node.int("axis", default: 0), rank: shape.count) else { throw node.error("axis out of range for \(shape)") }
        var plan = try ReductionOps.plan(node, shape: shape, axes: [axis])
        // Groups list their elements in increasing flat order, which is the order along the axis.
        plan.groups = plan.groups.map { $0.sorted() }
        return plan
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0)
        let plan = try plan(node, shape: x.shape)
        let last = try node.int("select_last_index", default: 0) == 1
        let values = x.doubles.elements
        let sign = node.type == "ArgMin" ? -1.0 : 1.0
        let indices = plan.groups.map { group -> Int in
            let elements = group.map { values[$0] * sign }
            let best = elements.max()!
            return last ? elements.lastIndex(of: best)! : elements.firstIndex(of: best)!
        }
        return [.integer(Tensor(shape: plan.shape, elements: indices), .int64)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let id = try quantizer.materialize(try required(node, inputs, 0))
        let plan = try plan(node, shape: quantizer.info(id).shape)
        let windows = plan.groups.map { $0.map { Expression.symbol(tensor: id, element: $0) } }
        return [.tensor(try quantizer.argmax(windows, shape: plan.shape, negate: node.type == "ArgMin",
                                              selectLast: try node.int("select_last_index", default: 0) == 1))]
    }
}
