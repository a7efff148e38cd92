import Foundation
import ModelIR

/// RNN, GRU and LSTM (forward, reverse, bidirectional; `layout` 0 and 1; initial states as inputs or zeros; LSTM
/// peepholes; GRU's `linear_before_reset`), unrolled over the static sequence length. The cell equations are written
/// once over `Arithmetic` elements: in float inference they compute the ONNX reference semantics, in the circuit each
/// gate's pre-activation is one rescale, Sigmoid and Tanh go through the fitted tables of the smooth functions (their
/// error bounds propagate step by step), and each element-wise product of two activations costs one constraint.
/// The weights are circuit constants.
enum RecurrentOps {
    static let all: [any Operator] = [RecurrentOp()]
}

/// What the cell needs beyond ring arithmetic: a gate's activation, and settling a value into wires before a product.
protocol RecurrenceHooks {
    associatedtype Element: Arithmetic
    mutating func apply(_ activation: RecurrentActivation, _ x: [Element]) throws(ModelError) -> [Element]
    mutating func settle(_ x: [Element]) throws(ModelError) -> [Element]
    /// Settles (1 − w)·a + w·b (a GRU's state update): its range from the corners of a's, b's and w's ranges, which
    /// interval arithmetic on the expanded form would widen at every step.
    mutating func settleMix(_ x: [Element], of a: [Element], and b: [Element], weights: [Element]) throws(ModelError) -> [Element]
}

enum RecurrentActivation: String {
    case sigmoid = "Sigmoid", tanh = "Tanh", relu = "Relu"

    func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .sigmoid: 1 / (1 + Foundation.exp(-x))
        case .tanh: Foundation.tanh(x)
        case .relu: max(0, x)
        }
    }
}

struct FloatRecurrence: RecurrenceHooks {
    mutating func apply(_ activation: RecurrentActivation, _ x: [Double]) throws(ModelError) -> [Double] { x.map { activation($0) } }
    mutating func settle(_ x: [Double]) throws(ModelError) -> [Double] { x }
    mutating func settleMix(_ x: [Double], of a: [Double], and b: [Double], weights: [Double]) throws(ModelError) -> [Double] { x }
}

struct CircuitRecurrence: RecurrenceHooks {
    var quantizer: Quantizer

    mutating func settle(_ x: [Expression]) throws(ModelError) -> [Expression] {
        // Constants (a zero initial state) stay constants: as a scale-0 tensor they would coarsen the next rescale.
        if x.allSatisfy({ $0.constantValue != nil }) { return x }
        let id = try quantizer.materialize(.pending(Tensor(shape: [x.count], elements: x)))
        return quantizer.symbols(id).elements
    }

    /// The real interval an expression of one symbol (or a constant) is proven to lie in.
    func interval(_ e: Expression) -> ClosedRange<Double>? {
        if let value = e.constantValue { return value...value }
        guard e.terms.count == 1, e.constant == 0, e.terms[0].right < 0, e.terms[0].coefficient == 1 else { return nil }
        let info = quantizer.info(Expression.tensor(of: e.terms[0].left))
        let unit = pow(2, Double(info.scale))
        return (Double(info.range.lowerBound) / unit)...(Double(info.range.upperBound) / unit)
    }

    mutating func settleMix(_ x: [Expression], of a: [Expression], and b: [Expression], weights: [Expression]) throws(ModelError) -> [Expression] {
        if x.allSatisfy({ $0.constantValue != nil }) { return x }
        let id = try quantizer.materialize(.pending(Tensor(shape: [x.count], elements: x)))
        // (1 − w)·a + w·b is bilinear in (a, b, w): over the box of their proven intervals its extremes are at corners
        // (a table's sigmoid may overshoot [0, 1] by a unit, so the plain hull of a and b would not be sound).
        var low = Double.infinity
        var high = -Double.infinity
        for k in x.indices {
            guard let p = interval(a[k]), let q = interval(b[k]), let w = interval(weights[k]) else { return quantizer.symbols(id).elements }
            for u in [p.lowerBound, p.upperBound] {
                for v in [q.lowerBound, q.upperBound] {
                    for t in [w.lowerBound, w.upperBound] {
                        let value = (1 - t) * u + t * v
                        (low, high) = (min(low, value), max(high, value))
                    }
                }
            }
        }
        // The materialized value is the rounded exact combination of the quantized operands, so it stays within the
        // corners' range rounded outward to its grid.
        let unit = pow(2, Double(quantizer.info(id).scale))
        quantizer.narrowRange(id, to: Int((low * unit).rounded(.down))...Int((high * unit).rounded(.up)))
        return quantizer.symbols(id).elements
    }

    mutating func apply(_ activation: RecurrentActivation, _ x: [Expression]) throws(ModelError) -> [Expression] {
        if x.allSatisfy({ $0.constantValue != nil }) { return x.map { Expression(constant: activation($0.constantValue!)) } }
        let input = try quantizer.materialize(.pending(Tensor(shape: [x.count], elements: x)), relu: activation == .relu)
        if activation == .relu { return quantizer.symbols(input).elements }
        let output = try quantizer.function(input, RealFunction(activation == .sigmoid ? .sigmoid : .tanh))
        return quantizer.symbols(output).elements
    }
}

/// A recurrent node's parsed attributes and constant weights.
struct RecurrentLayer {
    enum Kind { case rnn, gru, lstm }

    var kind: Kind
    var hidden: Int
    var directions: [Bool]  // true: reverse
    var layout: Int
    var activations: [[RecurrentActivation]]  // per direction
    var linearBeforeReset: Bool
    var gates: Int
    /// Per direction: W [gates·hidden, input], R [gates·hidden, hidden], bias W and R [gates·hidden], peepholes [3·hidden].
    var w: [[Double]], r: [[Double]], wb: [[Double]], rb: [[Double]], p: [[Double]]
    var inputWidth: Int

    init(_ node: Node, _ inputs: [Operand?]) throws(ModelError) {
        try node.allow(["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "input_forget", "layout",
                        "linear_before_reset"])
        kind = node.type == "RNN" ? .rnn : node.type == "GRU" ? .gru : .lstm
        gates = kind == .rnn ? 1 : kind == .gru ? 3 : 4
        guard !node.has("clip") else { throw node.unsupported("clip", "absent (no cell clipping)") }
        guard try node.int("input_forget", default: 0) == 0 else { throw node.unsupported("input_forget", "0") }
        guard !node.has("activation_alpha"), !node.has("activation_beta") else { throw node.error("parametric activations (activation_alpha/beta) are not supported") }
        let direction = try node.string("direction", default: "forward")
        switch direction {
        case "forward": directions = [false]
        case "reverse": directions = [true]
        case "bidirectional": directions = [false, true]
        default: throw node.unsupported("direction", "forward, reverse or bidirectional")
        }
        layout = try node.int("layout", default: 0)
        guard [0, 1].contains(layout) else { throw node.unsupported("layout", "0 or 1") }
        linearBeforeReset = try node.int("linear_before_reset", default: 0) != 0
        let defaults: [RecurrentActivation] = kind == .rnn ? [.tanh] : kind == .gru ? [.sigmoid, .tanh] : [.sigmoid, .tanh, .tanh]
        let names = try node.strings("activations") ?? Array(repeating: defaults.map(\.rawValue), count: directions.count).flatMap { $0 }
        guard names.count == defaults.count * directions.count else { throw node.error("needs \(defaults.count * directions.count) activations, got \(names.count)") }
        var parsed: [RecurrentActivation] = []
        for name in names {
            guard let activation = RecurrentActivation(rawValue: name) else { throw node.unsupported("activations", "Sigmoid, Tanh or Relu, not \(name)") }
            parsed.append(activation)
        }
        activations = directions.indices.map { Array(parsed[($0 * defaults.count)..<(($0 + 1) * defaults.count)]) }

        func constant(_ position: Int, _ what: String) throws(ModelError) -> Tensor<Double>? {
            guard position < inputs.count, let operand = inputs[position] else { return nil }
            guard let value = operand.constant else { throw node.error("\(what) (input \(position)) must be a constant") }
            return value.floatTensor
        }
        guard let wTensor = try constant(1, "W"), let rTensor = try constant(2, "R"), wTensor.rank == 3, rTensor.rank == 3 else {
            throw node.error("needs constant W [directions, gates·hidden, input] and R")
        }
        hidden = try node.int("hidden_size", default: rTensor.shape[2])
        inputWidth = wTensor.shape[2]
        let rows = gates * hidden
        guard wTensor.shape[0] == directions.count, wTensor.shape[1] == rows, rTensor.shape == [directions.count, rows, hidden] else {
            throw node.error("W \(wTensor.shape) and R \(rTensor.shape) do not match \(directions.count) direction(s), \(gates) gates and hidden size \(hidden)")
        }
        let bias = try constant(3, "B")
        guard bias == nil || bias!.shape == [directions.count, 2 * rows] else { throw node.error("B must be [\(directions.count), \(2 * rows)]") }
        if let lengths = try constant(4, "sequence_lens"), Set(lengths.elements).count > 1 {
            throw node.error("sequences of different lengths (sequence_lens) are not supported; every sequence must have the static length")
        }
        let peepholes = kind == .lstm ? try constant(7, "P") : nil
        guard peepholes == nil || peepholes!.shape == [directions.count, 3 * hidden] else { throw node.error("P must be [\(directions.count), \(3 * hidden)]") }
        func slice(_ tensor: Tensor<Double>, _ direction: Int, _ range: Range<Int>) -> [Double] {
            let stride = tensor.count / tensor.shape[0]
            return Array(tensor.elements[(direction * stride + range.lowerBound)..<(direction * stride + range.upperBound)])
        }
        let (count, width, size) = (directions.count, inputWidth, hidden)
        let zeros = Array(repeating: 0.0, count: rows)
        w = (0..<count).map { slice(wTensor, $0, 0..<(rows * width)) }
        r = (0..<count).map { slice(rTensor, $0, 0..<(rows * size)) }
        wb = (0..<count).map { direction in bias.map { slice($0, direction, 0..<rows) } ?? zeros }
        rb = (0..<count).map { direction in bias.map { slice($0, direction, rows..<(2 * rows)) } ?? zeros }
        p = (0..<count).map { direction in peepholes.map { slice($0, direction, 0..<(3 * size)) } ?? Array(repeating: 0, count: 3 * size) }
    }

    /// (sequence, batch) of an input shape.
    func extent(_ node: Node, _ shape: [Int]) throws(ModelError) -> (sequence: Int, batch: Int) {
        guard shape.count == 3, shape[2] == inputWidth else { throw node.error("X must be [sequence, batch, \(inputWidth)] (layout \(layout)), got \(shape)") }
        return layout == 0 ? (shape[0], shape[1]) : (shape[1], shape[0])
    }

    /// Σ_j v[b, j]·M[row, j] + bias[row] for rows `rows` of M (width `width`), per batch row.
    static func affine<T: Arithmetic>(_ v: [T], _ matrix: [Double], width: Int, rows: Range<Int>, bias: [Double], batch: Int) -> [T] {
        var result: [T] = []
        result.reserveCapacity(batch * rows.count)
        for b in 0..<batch {
            for row in rows {
                var sum = T(constant: bias[row])
                for j in 0..<width where matrix[row * width + j] != 0 { sum = sum + v[b * width + j].scaled(by: matrix[row * width + j]) }
                result.append(sum)
            }
        }
        return result
    }

    /// The unrolled layer: X flat in its layout, initial states [directions, batch, hidden] (or zeros). Returns Y, Y_h
    /// and Y_c flat in ONNX's output layouts.
    func run<H: RecurrenceHooks>(_ x: [H.Element], sequence: Int, batch: Int, initialH: [H.Element]?, initialC: [H.Element]?, _ hooks: inout H)
        throws(ModelError) -> (y: [H.Element], yh: [H.Element], yc: [H.Element]) {
        typealias T = H.Element
        let size = batch * hidden
        var y = Array(repeating: T(constant: 0), count: sequence * directions.count * size)
        var yh: [T] = []
        var yc: [T] = []
        func timeStep(_ t: Int) -> [T] {
            var result: [T] = []
            for b in 0..<batch {
                let row = layout == 0 ? t * batch + b : b * sequence + t
                result += x[(row * inputWidth)..<((row + 1) * inputWidth)]
            }
            return result
        }
        /// Gate `index` of per-batch rows holding every gate.
        func gate(_ values: [T], _ index: Int) -> [T] {
            var result: [T] = []
            result.reserveCapacity(size)
            for b in 0..<batch {
                let start = (b * gates + index) * hidden
                result += values[start..<(start + hidden)]
            }
            return result
        }
        func multiply(_ a: [T], _ b: [T]) -> [T] { zip(a, b).map { $0 * $1 } }
        func add(_ a: [T], _ b: [T]) -> [T] { zip(a, b).map { $0 + $1 } }
        func peephole(_ c: [T], _ offset: Int, _ direction: Int) -> [T] {
            (0..<size).map { c[$0].scaled(by: p[direction][offset * hidden + $0 % hidden]) }
        }
        for (d, reverse) in directions.enumerated() {
            var h = initialH.map { Array($0[(d * size)..<((d + 1) * size)]) } ?? Array(repeating: T(constant: 0), count: size)
            var c = initialC.map { Array($0[(d * size)..<((d + 1) * size)]) } ?? Array(repeating: T(constant: 0), count: size)
            let f = activations[d]
            for step in 0..<sequence {
                let t = reverse ? sequence - 1 - step : step
                let rows = 0..<(gates * hidden)
                let fromInput = Self.affine(timeStep(t), w[d], width: inputWidth, rows: rows, bias: wb[d], batch: batch)
                switch kind {
                case .rnn:
                    let fromState = Self.affine(h, r[d], width: hidden, rows: rows, bias: rb[d], batch: batch)
                    h = try hooks.apply(f[0], add(fromInput, fromState))
                case .lstm:
                    // Gate order i, o, f, c; peepholes i, o, f.
                    let pre = add(fromInput, Self.affine(h, r[d], width: hidden, rows: rows, bias: rb[d], batch: batch))
                    let input = try hooks.apply(f[0], add(gate(pre, 0), peephole(c, 0, d)))
                    let forget = try hooks.apply(f[0], add(gate(pre, 2), peephole(c, 2, d)))
                    let candidate = try hooks.apply(f[1], gate(pre, 3))
                    c = try hooks.settle(add(multiply(forget, c), multiply(input, candidate)))
                    let output = try hooks.apply(f[0], add(gate(pre, 1), peephole(c, 1, d)))
                    let squashed = try hooks.apply(f[2], c)
                    h = try hooks.settle(multiply(output, squashed))
                case .gru:
                    // Gate order z, r, h.
                    let fromState = Self.affine(h, r[d], width: hidden, rows: rows, bias: rb[d], batch: batch)
                    let update = try hooks.apply(f[0], add(gate(fromInput, 0), gate(fromState, 0)))
                    let reset = try hooks.apply(f[0], add(gate(fromInput, 1), gate(fromState, 1)))
                    let candidateRows = (2 * hidden)..<(3 * hidden)
                    let recurrent: [T]
                    if linearBeforeReset {
                        let state = try hooks.settle(gate(fromState, 2))
                        recurrent = multiply(reset, state)
                    } else {
                        let gated = try hooks.settle(multiply(reset, h))
                        recurrent = Self.affine(gated, r[d], width: hidden, rows: candidateRows, bias: rb[d], batch: batch)
                    }
                    let candidate = try hooks.apply(f[1], add(gate(fromInput, 2), recurrent))
                    // (1 − z)·ĥ + z·h = ĥ + z·(h − ĥ): one product per element.
                    h = try hooks.settleMix(add(candidate, multiply(update, zip(h, candidate).map { $0 - $1 })), of: candidate, and: h, weights: update)
                }
                for k in 0..<size {
                    let (b, j) = (k / hidden, k % hidden)
                    let position = layout == 0 ? ((t * directions.count + d) * batch + b) * hidden + j : ((b * sequence + t) * directions.count + d) * hidden + j
                    y[position] = h[k]
                }
            }
            yh += h
            yc += c
        }
        if layout == 1 {
            // Y_h and Y_c are [batch, directions, hidden] in layout 1.
            let reorder = { (values: [T]) -> [T] in
                (0..<(batch * self.directions.count * self.hidden)).map { position in
                    let (b, rest) = (position / (self.directions.count * self.hidden), position % (self.directions.count * self.hidden))
                    return values[(rest / self.hidden) * size + b * self.hidden + rest % self.hidden]
                }
            }
            return (y, reorder(yh), reorder(yc))
        }
        return (y, yh, yc)
    }

    func shapes(sequence: Int, batch: Int) -> (y: [Int], state: [Int]) {
        layout == 0 ? ([sequence, directions.count, batch, hidden], [directions.count, batch, hidden])
            : ([batch, sequence, directions.count, hidden], [batch, directions.count, hidden])
    }
}

struct RecurrentOp: Operator {
    let types = ["RNN", "GRU", "LSTM"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let layer = try RecurrentLayer(node, inputs)
        let x = try required(node, inputs, 0).doubles
        let (sequence, batch) = try layer.extent(node, x.shape)
        var hooks = FloatRecurrence()
        let (y, yh, yc) = try layer.run(x.elements, sequence: sequence, batch: batch, initialH: inputs.count > 5 ? inputs[5]?.doubles.elements : nil,
                                        initialC: inputs.count > 6 ? inputs[6]?.doubles.elements : nil, &hooks)
        let (yShape, stateShape) = layer.shapes(sequence: sequence, batch: batch)
        let outputs: [Operand] = [.float(Tensor(shape: yShape, elements: y)), .float(Tensor(shape: stateShape, elements: yh)),
                                  .float(Tensor(shape: stateShape, elements: yc))]
        return Array(outputs.prefix(layer.kind == .lstm ? 3 : 2))
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        let layer = try RecurrentLayer(node, operands)
        var given = try required(node, inputs, 0)
        if case let .pending(expressions) = given, Quantizer.isWide(expressions) { given = .tensor(try quantizer.materialize(given)) }
        let x = quantizer.operand(given).expressions
        let (sequence, batch) = try layer.extent(node, x.shape)
        func state(_ position: Int) throws(ModelError) -> [Expression]? {
            guard position < inputs.count, let value = inputs[position] else { return nil }
            if case .constant = value { return quantizer.operand(value).expressions.elements }
            let id = try quantizer.materialize(value)
            return quantizer.symbols(id).elements
        }
        let initialH = try state(5)
        let initialC = try state(6)
        var hooks = CircuitRecurrence(quantizer: quantizer)
        let (y, yh, yc) = try layer.run(x.elements, sequence: sequence, batch: batch, initialH: initialH, initialC: initialC, &hooks)
        quantizer = hooks.quantizer
        let (yShape, stateShape) = layer.shapes(sequence: sequence, batch: batch)
        let outputs: [QuantizedOperand] = [.pending(Tensor(shape: yShape, elements: y)), .pending(Tensor(shape: stateShape, elements: yh)),
                                           .pending(Tensor(shape: stateShape, elements: yc))]
        return Array(outputs.prefix(layer.kind == .lstm ? 3 : 2))
    }

    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        let weights = inputs.dropFirst().prefix(2).reduce(0) { $0 + ($1?.count ?? 0) }
        let steps = inputs.first??.shape.prefix(2).reduce(1, *) ?? 1
        return weights * steps
    }
}
