import ModelIR

/// Piecewise-linear selection, exact: every op here is built from proven sign bits (ReLU) and the maximum gadget, with
/// the linear parts left pending for the next rescale to absorb.
enum RectifierOps {
    static let all: [any Operator] = [ReluOp(), LeakyReluOp(), PReluOp(), ClipOp(), HardSigmoidOp(), HardSwishOp(), AbsOp(), SignOp(), MaxMinOp()]

    /// The element-wise float (or integer) semantics of a unary op.
    static func unary(_ node: Node, _ inputs: [Operand?], float: (Double) -> Double, integer: ((Int) -> Int)? = nil) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0)
        if case let .integer(tensor, type) = x, let integer { return [.integer(tensor.map(integer), type)] }
        return [.float(x.doubles.map(float))]
    }

    static func symbols(_ quantizer: Quantizer, _ id: Int) -> Tensor<Expression> { quantizer.symbols(id) }

    /// lo + relu(x − lo) − relu(x − hi) as lo + (hi − lo) − relu((hi − lo) − relu(x − lo)), each ReLU exact.
    static func clip(_ x: QuantizedOperand, low: Double?, high: Double?, _ quantizer: inout Quantizer) throws(ModelError) -> QuantizedOperand {
        var value = quantizer.operand(x).expressions
        switch (low, high) {
        case (nil, nil):
            return x
        case let (low?, nil):
            let r = try quantizer.rectify(.pending(value.map { $0 - Expression(constant: low) }))
            return .pending(quantizer.symbols(r).map { $0 + Expression(constant: low) })
        case let (nil, high?):
            let r = try quantizer.rectify(.pending(value.map { Expression(constant: high) - $0 }))
            return .pending(quantizer.symbols(r).map { Expression(constant: high) - $0 })
        case let (low?, high?):
            guard low <= high else {
                value = Tensor(shape: value.shape, repeating: Expression(constant: high))
                return .pending(value)
            }
            let r1 = try quantizer.rectify(.pending(value.map { $0 - Expression(constant: low) }))
            let r2 = try quantizer.rectify(.pending(quantizer.symbols(r1).map { Expression(constant: high - low) - $0 }))
            return .pending(quantizer.symbols(r2).map { Expression(constant: high) - $0 })
        }
    }
}

struct ReluOp: Operator {
    let types = ["Relu"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return try RectifierOps.unary(node, inputs, float: { max(0, $0) }, integer: { max(0, $0) })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        [.tensor(try quantizer.rectify(try required(node, inputs, 0)))]
    }
}

/// x ≥ 0 ? x : α·x = α·x + (1 − α)·relu(x).
struct LeakyReluOp: Operator {
    let types = ["LeakyRelu"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["alpha"])
        let alpha = try node.float("alpha", default: 0.01)
        return try RectifierOps.unary(node, inputs, float: { $0 >= 0 ? $0 : alpha * $0 })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let alpha = try node.float("alpha", default: 0.01)
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let r = try quantizer.rectify(.tensor(x))
        let xs = quantizer.symbols(x)
        let rs = quantizer.symbols(r)
        return [.pending(Tensor(shape: xs.shape, elements: zip(xs.elements, rs.elements).map { $0.scaled(by: alpha) + $1.scaled(by: 1 - alpha) }))]
    }
}

/// x ≥ 0 ? x : slope·x with a constant slope broadcast to x (per channel when exported as [C, 1, 1]).
struct PReluOp: Operator {
    let types = ["PRelu"]

    /// A 1-D slope of C values that numpy cannot broadcast is per channel (axis 1), as opset 6 exporters meant it.
    static func aligned(_ slope: Tensor<Double>, to shape: [Int]) -> Tensor<Double> {
        guard Shape.broadcast([shape, slope.shape]) != shape, slope.rank == 1, shape.count >= 2, slope.count == shape[1] else { return slope }
        return slope.reshaped([slope.count] + Array(repeating: 1, count: shape.count - 2))
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let x = try required(node, inputs, 0).doubles
        let slope = PReluOp.aligned(try required(node, inputs, 1).doubles, to: x.shape)
        let result = try ElementwiseOps.broadcast(node, [x, slope]) { $0 >= 0 ? $0 : $0 * $1 }
        guard result.shape == x.shape else { throw node.error("slope \(slope.shape) does not broadcast to \(x.shape)") }
        return [.float(result)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        guard case let .constant(slopeConstant)? = inputs.count > 1 ? inputs[1] : nil else { throw node.error("the slope must be a constant") }
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let r = try quantizer.rectify(.tensor(x))
        let slopes = PReluOp.aligned(slopeConstant.floatTensor, to: quantizer.info(x).shape)
        let slope = slopes.map(Expression.init(constant:))
        let complement = slopes.map { Expression(constant: 1 - $0) }
        let scaled = try ElementwiseOps.broadcast(node, [quantizer.symbols(x), slope], *)
        let kept = try ElementwiseOps.broadcast(node, [quantizer.symbols(r), complement], *)
        guard scaled.shape == quantizer.info(x).shape else { throw node.error("slope \(slopeConstant.shape) does not broadcast to \(quantizer.info(x).shape)") }
        return [.pending(Tensor(shape: scaled.shape, elements: zip(scaled.elements, kept.elements).map(+)))]
    }
}

/// Clip with optional constant bounds (ReLU6 is Clip(0, 6)).
struct ClipOp: Operator {
    let types = ["Clip"]

    func bounds(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> (Double?, Double?) {
        try node.allow(["min", "max"])
        func bound(_ position: Int, _ attribute: String) throws(ModelError) -> Double? {
            if position < inputs.count, let operand = inputs[position] {
                guard let constant = operand.constant else { throw node.error("the \(attribute) bound must be a compile-time constant") }
                return constant.doubles.first
            }
            guard node.has(attribute) else { return nil }
            return try node.float(attribute, default: 0)
        }
        return (try bound(1, "min"), try bound(2, "max"))
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let (low, high) = try bounds(node, inputs)
        let lo = low ?? -.infinity
        let hi = high ?? .infinity
        return try RectifierOps.unary(node, inputs, float: { min(max($0, lo), hi) },
                                      integer: { min(max($0, low.map { Int(constant: $0) } ?? .min), high.map { Int(constant: $0) } ?? .max) })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let (low, high) = try bounds(node, inputs.map { $0.map { quantizer.operand($0) } })
        return [try RectifierOps.clip(try required(node, inputs, 0), low: low, high: high, &quantizer)]
    }
}

/// clip(α·x + β, 0, 1).
struct HardSigmoidOp: Operator {
    let types = ["HardSigmoid"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["alpha", "beta"])
        let alpha = try node.float("alpha", default: 0.2)
        let beta = try node.float("beta", default: 0.5)
        return try RectifierOps.unary(node, inputs, float: { min(max(alpha * $0 + beta, 0), 1) })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let alpha = try node.float("alpha", default: 0.2)
        let beta = try node.float("beta", default: 0.5)
        let x = quantizer.operand(try required(node, inputs, 0)).expressions
        return [try RectifierOps.clip(.pending(x.map { $0.scaled(by: alpha) + Expression(constant: beta) }), low: 0, high: 1, &quantizer)]
    }
}

/// x · clip(x/6 + 1/2, 0, 1): the clip is exact, the product one constraint per element.
struct HardSwishOp: Operator {
    let types = ["HardSwish"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return try RectifierOps.unary(node, inputs, float: { $0 * min(max($0 / 6 + 0.5, 0), 1) })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let xs = quantizer.symbols(x)
        let gate = try RectifierOps.clip(.pending(xs.map { $0.scaled(by: 1.0 / 6) + Expression(constant: 0.5) }), low: 0, high: 1, &quantizer)
        let g = quantizer.operand(gate).expressions
        return [.pending(Tensor(shape: xs.shape, elements: zip(xs.elements, g.elements).map(*)))]
    }
}

/// |x| = 2·relu(x) − x.
struct AbsOp: Operator {
    let types = ["Abs"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return try RectifierOps.unary(node, inputs, float: { abs($0) }, integer: { abs($0) })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        [.tensor(try Self.magnitudes(try required(node, inputs, 0), &quantizer))]
    }

    /// |x| materialized (also for ReduceL1 and LpNormalization).
    static func magnitudes(_ value: QuantizedOperand, _ quantizer: inout Quantizer) throws(ModelError) -> Int {
        let x = try quantizer.materialize(value)
        let r = try quantizer.rectify(.tensor(x))
        let xs = quantizer.symbols(x)
        let pending = Tensor(shape: xs.shape, elements: zip(xs.elements, quantizer.symbols(r).elements).map { $1.scaled(by: 2) - $0 })
        // 2·relu(x) − x with integer coefficients is exactly |x| at x's scale, so it lies in [0, max |x|].
        let id = try quantizer.materialize(.pending(pending))
        let range = quantizer.info(x).range
        quantizer.narrowRange(id, to: 0...max(abs(range.lowerBound), abs(range.upperBound)))
        return id
    }
}

struct SignOp: Operator {
    let types = ["Sign"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return try RectifierOps.unary(node, inputs, float: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, integer: { $0.signum() })
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        [.tensor(try quantizer.sign(try quantizer.materialize(try required(node, inputs, 0))))]
    }
}

/// Max and Min of any number of broadcast tensors.
struct MaxMinOp: Operator {
    let types = ["Max", "Min"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let operands = inputs.compactMap { $0 }
        guard !operands.isEmpty else { throw node.error("needs at least one input") }
        let isMax = node.type == "Max"
        if operands.allSatisfy({ if case .integer = $0 { true } else { false } }) {
            return [.integer(try ElementwiseOps.broadcast(node, operands.map(\.integers)) { isMax ? max($0, $1) : min($0, $1) }, operands[0].elementType)]
        }
        return [.float(try ElementwiseOps.broadcast(node, operands.map(\.doubles)) { isMax ? max($0, $1) : min($0, $1) })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.compactMap { $0 }
        guard !operands.isEmpty else { throw node.error("needs at least one input") }
        var ids: [Int] = []
        for operand in operands { ids.append(try quantizer.materialize(operand)) }
        let scale = ids.map { quantizer.info($0).scale }.max()!
        var aligned: [Int] = []
        for id in ids { aligned.append(try quantizer.aligned(.tensor(id), scale: scale)) }
        guard let shape = Shape.broadcast(aligned.map { quantizer.info($0).shape }) else {
            throw node.error("shapes \(aligned.map { quantizer.info($0).shape }) do not broadcast")
        }
        let maps = aligned.map { Shape.broadcastIndices(from: quantizer.info($0).shape, to: shape) }
        let windows = (0..<Shape.count(shape)).map { position in zip(aligned, maps).map { Expression.symbol(tensor: $0, element: $1[position]) } }
        return [.tensor(try quantizer.maximum(windows, shape: shape, negate: node.type == "Min"))]
    }
}
