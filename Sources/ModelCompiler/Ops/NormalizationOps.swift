import Foundation
import ModelIR

/// LayerNormalization, InstanceNormalization, GroupNormalization and RMSNormalization (also the targets of the
/// decomposed patterns exporters write). Each group of n elements becomes D/√Q with integer-exact D = n·x − Σx (or x
/// without centering) and Q = ΣD²/n + m²·ε (m = n, or 1), then a per-channel scale and bias.
enum NormalizationOps {
    static let all: [any Operator] = [LayerNormalizationOp(), InstanceNormalizationOp(), GroupNormalizationOp(), LpNormalizationOp()]

    /// Float semantics: (x − mean)/√(var + ε) per group, or x/√(mean(x²) + ε) without centering.
    static func normalize(_ x: Tensor<Double>, groups: [[Int]], epsilon: Double, center: Bool) -> Tensor<Double> {
        var result = x
        for group in groups {
            let n = Double(group.count)
            let mean = center ? group.reduce(0.0) { $0 + x.elements[$1] } / n : 0
            let variance = group.reduce(0.0) { $0 + (x.elements[$1] - mean) * (x.elements[$1] - mean) } / n
            let deviation = (variance + epsilon).squareRoot()
            for index in group { result.elements[index] = (x.elements[index] - mean) / deviation }
        }
        return result
    }

    /// The normalized tensor at the activation scale, with its error bound:
    /// - computational: Q is rounded (and 1/n made dyadic) by δQ, so √Q by δσ ≤ δQ/(m√ε) + one unit of σ's scale;
    ///   since |D| ≤ √n·√Q, |D/σ̂ − D/√Q| ≤ √n·δσ/σ̂; the division rounds by half a unit;
    /// - propagated: the map's Jacobian has rows summing to at most (1 + √n)/√ε, times 2 for the centering;
    /// - and never more than |ŷ| + |y| ≤ √n·(1 + δσ/σ̂) + √n.
    static func quantize(
        _ node: Node, _ x: Int, groups: [[Int]], epsilon: Double, center: Bool, _ quantizer: inout Quantizer
    ) throws(ModelError) -> Int {
        let input = quantizer.info(x)
        let s = input.scale
        guard let n = groups.first?.count, groups.allSatisfy({ $0.count == n }), n > 0 else { throw node.error("groups must be of equal, non-zero size") }
        guard epsilon > 0 else { throw node.unsupported("epsilon", "a positive value (the divisor's proven range would reach 0)") }
        var groupOf = [Int](repeating: 0, count: input.count)
        for (group, members) in groups.enumerated() { for index in members { groupOf[index] = group } }
        func symbol(_ tensor: Int, _ element: Int) -> Expression { Expression(symbol: Expression.symbol(tensor: tensor, element: element)) }

        var deviations = x
        if center {
            let sums = try quantizer.aligned(.pending(Tensor(shape: [groups.count], elements: groups.map { members in
                members.reduce(Expression.zero) { $0 + symbol(x, $1) }
            })), scale: s)
            deviations = try quantizer.aligned(.pending(Tensor(shape: input.shape, elements: (0..<input.count).map {
                symbol(x, $0).scaled(by: Double(n)) - symbol(sums, groupOf[$0])
            })), scale: s)
        }
        let m = center ? Double(n) : 1
        let range = quantizer.info(deviations).range
        let largest = Double(max(abs(range.lowerBound), abs(range.upperBound)))
        // Q's scale and σ's: as fine as 2^56 allows, up to 12 bits beyond the input's.
        let headroom = 56 - Int(log2(largest * largest + 1).rounded(.up))
        let sigmaScale = min(s + 12, s + headroom / 2)
        guard sigmaScale >= s else { throw node.error("the normalized values are too large for 64-bit arithmetic; lower the activation scale") }
        // 1/n as a dyadic rational within the accumulator's headroom.
        let inverseBits = max(0, 58 - Int(log2(largest * largest + 1).rounded(.up)))
        let inverse = (pow(2, Double(inverseBits)) / Double(n)).rounded() / pow(2, Double(inverseBits))
        guard inverse > 0 else { throw node.error("the group of \(n) elements is too large for 64-bit arithmetic (deviations up to \(largest), \(inverseBits) bits)") }
        let squares = Tensor(shape: [groups.count], elements: groups.map { members in
            members.reduce(Expression(constant: m * m * epsilon)) { $0 + (symbol(deviations, $1) * symbol(deviations, $1)).scaled(by: inverse) }
        })
        let qScale = 2 * sigmaScale
        let q = try quantizer.materialize(.pending(squares), targetScale: qScale, exact: true, rounding: .halfUp)
        // A sum of squares with a positive coefficient plus m²ε (interval arithmetic sees x·x as possibly negative).
        quantizer.narrowRange(q, to: max(0, Int((m * m * epsilon * pow(2, Double(qScale))).rounded(.down)) - 1)...Int.max)
        guard quantizer.info(q).range.lowerBound > 0 else {
            throw node.error("ε = \(epsilon) rounds to zero at scale \(qScale), so the divisor's proven range reaches 0")
        }
        let sigma = try quantizer.squareRoot(.tensor(q), outputScale: sigmaScale)
        let sigmaLow = Double(quantizer.info(sigma).range.lowerBound) / pow(2, Double(sigmaScale))
        guard sigmaLow > 0 else { throw node.error("the deviation's proven range reaches 0") }

        let real = pow(2, Double(s))
        let qUnit = pow(2, -Double(qScale))
        let deltaQ = qUnit + abs(inverse - 1 / Double(n)) * Double(n) * (largest / real) * (largest / real)
        let deltaSigma = deltaQ / (m * epsilon.squareRoot()) + pow(2, -Double(sigmaScale))
        let rootN = Double(n).squareRoot()
        let scale = quantizer.settings.activationScale
        let half = 0.5 / pow(2, Double(scale))
        let computational = rootN * deltaSigma / sigmaLow + half
        let propagated = (center ? 2 : 1) * (1 + rootN) / epsilon.squareRoot() * input.errorBound
        let magnitude = rootN * (1 + deltaSigma / sigmaLow) + half
        let error = min(computational + propagated, magnitude + rootN)
        let bound = Int((magnitude * pow(2, Double(scale))).rounded(.up)) + 1
        return try quantizer.divide(deviations, Array(0..<input.count), by: sigma, groupOf, shape: input.shape, error: error, within: -bound...bound)
    }

    /// y·scale + bias with per-element constants (broadcast by `index`).
    static func affine(_ y: Int, scale: [Double]?, bias: [Double]?, index: (Int) -> Int, _ quantizer: Quantizer) -> QuantizedOperand {
        let symbols = quantizer.symbols(y)
        return .pending(Tensor(shape: symbols.shape, elements: symbols.elements.enumerated().map { position, element in
            let channel = index(position)
            return element.scaled(by: scale?[channel] ?? 1) + Expression(constant: bias?[channel] ?? 0)
        }))
    }

    static func constantValues(_ node: Node, _ inputs: [QuantizedOperand?], _ position: Int) throws(ModelError) -> [Double]? {
        guard position < inputs.count, let input = inputs[position] else { return nil }
        guard case let .constant(constant) = input else { throw node.error("input \(position) (scale or bias) must be a constant") }
        return constant.doubles
    }

    static func onlyFirstOutput(_ node: Node) throws(ModelError) {
        if node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            throw node.error("only the normalized output is supported (the mean and inverse deviation outputs are used)")
        }
    }
}

/// Over the axes from `axis` on, with Scale and B broadcast over those axes; RMSNormalization (opset 23) is the same
/// without centering.
struct LayerNormalizationOp: Operator {
    let types = ["LayerNormalization", "RMSNormalization"]

    func groups(_ node: Node, shape: [Int]) throws(ModelError) -> (groups: [[Int]], inner: Int) {
        try node.allow(["axis", "epsilon", "stash_type"])
        guard let axis = Shape.normalize(axis: try node.int("axis", default: -1), rank: shape.count) else {
            throw node.error("axis out of range for \(shape)")
        }
        let inner = shape[axis...].reduce(1, *)
        let count = Shape.count(shape)
        return (stride(from: 0, to: count, by: max(1, inner)).map { Array($0..<($0 + inner)) }, inner)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0).doubles
        let (groups, _) = try groups(node, shape: x.shape)
        let center = node.type == "LayerNormalization"
        var y = NormalizationOps.normalize(x, groups: groups, epsilon: try node.float("epsilon", default: 1e-5), center: center)
        let scale = try required(node, inputs, 1).doubles
        let bias = inputs.count > 2 ? inputs[2]?.doubles : nil
        guard let scaled = Shape.broadcast([y.shape, scale.shape]), scaled == y.shape else { throw node.error("scale \(scale.shape) does not broadcast to \(y.shape)") }
        let scales = Shape.broadcastIndices(from: scale.shape, to: y.shape)
        let biases = bias.map { Shape.broadcastIndices(from: $0.shape, to: y.shape) }
        for index in y.elements.indices {
            y.elements[index] = y.elements[index] * scale.elements[scales[index]] + (bias.map { $0.elements[biases![index]] } ?? 0)
        }
        return [.float(y)] + node.outputs.dropFirst().map { _ in .float(Tensor(shape: [], elements: [0])) }
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try NormalizationOps.onlyFirstOutput(node)
        let operand = try required(node, inputs, 0)
        let x = try quantizer.materialize(operand)
        let shape = quantizer.info(x).shape
        let (groups, _) = try groups(node, shape: shape)
        let y = try NormalizationOps.quantize(
            node, x, groups: groups, epsilon: try node.float("epsilon", default: 1e-5), center: node.type == "LayerNormalization", &quantizer)
        // Scale (required) and bias broadcast to every element.
        func broadcast(_ position: Int) throws(ModelError) -> [Double]? {
            guard let values = try NormalizationOps.constantValues(node, inputs, position), case let .constant(tensor)? = inputs[position] else { return nil }
            return Shape.broadcastIndices(from: tensor.shape, to: shape).map { values[$0] }
        }
        _ = try required(node, inputs, 1)
        return [NormalizationOps.affine(y, scale: try broadcast(1), bias: try broadcast(2), index: { $0 }, quantizer)]
    }
}

/// Per sample and channel over the spatial axes, with per-channel scale and bias.
struct InstanceNormalizationOp: Operator {
    let types = ["InstanceNormalization"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["epsilon"])
        let x = try required(node, inputs, 0).doubles
        guard x.rank >= 2 else { throw node.error("the input needs a channel axis, got \(x.shape)") }
        let inner = x.shape[2...].reduce(1, *)
        let groups = stride(from: 0, to: x.count, by: max(1, inner)).map { Array($0..<($0 + inner)) }
        var y = NormalizationOps.normalize(x, groups: groups, epsilon: try node.float("epsilon", default: 1e-5), center: true)
        let scale = try required(node, inputs, 1).doubles.elements
        let bias = try required(node, inputs, 2).doubles.elements
        let channels = x.shape[1]
        guard scale.count == channels, bias.count == channels else { throw node.error("scale and bias need \(channels) values") }
        for index in y.elements.indices {
            let channel = (index / inner) % channels
            y.elements[index] = y.elements[index] * scale[channel] + bias[channel]
        }
        return [.float(y)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let shape = quantizer.info(x).shape
        guard shape.count >= 2 else { throw node.error("the input needs a channel axis, got \(shape)") }
        let inner = shape[2...].reduce(1, *)
        let groups = stride(from: 0, to: Shape.count(shape), by: max(1, inner)).map { Array($0..<($0 + inner)) }
        let y = try NormalizationOps.quantize(node, x, groups: groups, epsilon: try node.float("epsilon", default: 1e-5), center: true, &quantizer)
        let channels = shape[1]
        return [NormalizationOps.affine(
            y, scale: try NormalizationOps.constantValues(node, inputs, 1), bias: try NormalizationOps.constantValues(node, inputs, 2),
            index: { ($0 / inner) % channels }, quantizer)]
    }
}

/// Per sample over groups of channels; scale and bias per channel (opset 21) or per group (opset 18).
struct GroupNormalizationOp: Operator {
    let types = ["GroupNormalization"]

    func layout(_ node: Node, shape: [Int], parameters: Int) throws(ModelError) -> (groups: [[Int]], channel: (Int) -> Int) {
        try node.allow(["epsilon", "num_groups", "stash_type"])
        guard shape.count >= 2 else { throw node.error("the input needs a channel axis, got \(shape)") }
        let groupCount = try node.int("num_groups", default: 1)
        let channels = shape[1]
        guard groupCount > 0, channels % groupCount == 0 else { throw node.error("\(channels) channels do not split into \(groupCount) groups") }
        let spatial = shape[2...].reduce(1, *)
        let inner = spatial * channels / groupCount
        let groups = stride(from: 0, to: Shape.count(shape), by: max(1, inner)).map { Array($0..<($0 + inner)) }
        guard parameters == channels || parameters == groupCount else {
            throw node.error("scale and bias need \(channels) (or \(groupCount)) values, got \(parameters)")
        }
        let perGroup = parameters == groupCount && parameters != channels
        return (groups, { index in
            let channel = (index / spatial) % channels
            return perGroup ? channel / (channels / groupCount) : channel
        })
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0).doubles
        let scale = try required(node, inputs, 1).doubles.elements
        let bias = try required(node, inputs, 2).doubles.elements
        let (groups, channel) = try layout(node, shape: x.shape, parameters: scale.count)
        var y = NormalizationOps.normalize(x, groups: groups, epsilon: try node.float("epsilon", default: 1e-5), center: true)
        for index in y.elements.indices { y.elements[index] = y.elements[index] * scale[channel(index)] + bias[channel(index)] }
        return [.float(y)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let scale = try NormalizationOps.constantValues(node, inputs, 1) ?? []
        let (groups, channel) = try layout(node, shape: quantizer.info(x).shape, parameters: scale.count)
        let y = try NormalizationOps.quantize(node, x, groups: groups, epsilon: try node.float("epsilon", default: 1e-5), center: true, &quantizer)
        return [NormalizationOps.affine(y, scale: scale, bias: try NormalizationOps.constantValues(node, inputs, 2), index: channel, quantizer)]
    }
}

/// x / ‖x‖ₚ along one axis, p = 1 or 2. ONNX gives no ε and a zero vector has no output (onnxruntime gives NaN); the
/// circuit proves 0 for it. p = 2 is the uncentered normalization with ε one unit of mean(x²)'s scale, divided by √n;
/// p = 1 divides by Σ|x| plus one unit. Both are discontinuous at 0, so the bound is |ŷ| + |y|.
struct LpNormalizationOp: Operator {
    let types = ["LpNormalization"]

    func groups(_ node: Node, shape: [Int]) throws(ModelError) -> (groups: [[Int]], p: Int) {
        try node.allow(["axis", "p"])
        guard let axis = Shape.normalize(axis: try node.int("axis", default: -1), rank: shape.count) else {
            throw node.error("axis out of range for \(shape)")
        }
        let p = try node.int("p", default: 2)
        guard p == 1 || p == 2 else { throw node.unsupported("p", "1 or 2") }
        let plan = try ReductionOps.plan(Node(name: node.name, type: node.type, inputs: [], outputs: []), shape: shape, axes: [axis])
        return (plan.groups, p)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        var x = try required(node, inputs, 0).doubles
        let (groups, p) = try groups(node, shape: x.shape)
        let original = x
        for group in groups {
            let norm = p == 1
                ? group.reduce(0.0) { $0 + abs(original.elements[$1]) }
                : group.reduce(0.0) { $0 + original.elements[$1] * original.elements[$1] }.squareRoot()
            for index in group { x.elements[index] = original.elements[index] / norm }
        }
        return [.float(x)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operand = try required(node, inputs, 0)
        if case let .constant(constant) = operand { return try folded(node, [Operand(constant)]) }
        let x = try quantizer.materialize(operand)
        let input = quantizer.info(x)
        let (groups, p) = try groups(node, shape: input.shape)
        let n = Double(groups.first?.count ?? 1)
        let unit = pow(2, -Double(input.scale))
        if p == 2 {
            let y = try NormalizationOps.quantize(node, x, groups: groups, epsilon: unit * unit, center: false, &quantizer)
            quantizer.setErrorBound(y, quantizer.info(y).magnitude + n.squareRoot())
            let scale = [Double](repeating: 1 / n.squareRoot(), count: input.count)
            return [NormalizationOps.affine(y, scale: scale, bias: nil, index: { $0 }, quantizer)]
        }
        let magnitudes = try AbsOp.magnitudes(.tensor(x), &quantizer)
        let symbols = quantizer.symbols(magnitudes)
        let sums = try quantizer.aligned(.pending(Tensor(shape: [groups.count], elements: groups.map { group in
            group.reduce(Expression(constant: unit)) { $0 + symbols.elements[$1] }
        })), scale: input.scale)
        var groupOf = [Int](repeating: 0, count: input.count)
        for (group, members) in groups.enumerated() { for index in members { groupOf[index] = group } }
        let one = 1 << quantizer.settings.activationScale
        let y = try quantizer.divide(x, Array(0..<input.count), by: sums, groupOf, shape: input.shape, error: 2 + 1 / Double(one), within: -(one + 1)...(one + 1))
        return [.tensor(y)]
    }
}
