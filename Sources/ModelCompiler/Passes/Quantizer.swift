import Foundation
import Gadgets
import ModelIR

/// A value during quantization: wires of a materialized tensor, a pending polynomial over materialized tensors
/// (not yet rescaled, so the next step can absorb it), or a compile-time constant.
public enum QuantizedOperand: Sendable {
    case tensor(Int)
    case pending(Tensor<Expression>)
    case constant(ConstantTensor)
}

/// The quantization pass's state: the materialized tensors and the steps that compute them.
///
/// Polynomial ops produce pending expressions; a tensor is materialized (quantized coefficients, one rescale to the
/// activation scale, proven range, error bound) only where a non-polynomial op, a graph output, a contraction over a
/// wide expression or a second consumer needs it. So Conv → BatchNorm → Add → ReLU costs one rescale with a fused ReLU.
public struct Quantizer {
    public let settings: CompilerSettings
    public let weights: WeightVisibility
    public private(set) var tensors: [TensorInfo] = []
    public private(set) var steps: [Step] = []
    public private(set) var parameters: [ParameterTensor] = []
    /// Float values of committed parameters, by tensor id (scales are chosen where they are first used).
    private var parameterValues: [Int: [Double]] = [:]
    /// Scales and bits to reuse (retrained weights proving with an existing circuit).
    private let reference: [ParameterTensor]?
    /// The matched model's tensors: with calibrated ranges, its range checks are reused.
    private let referenceTensors: [TensorInfo]?
    /// Calibrated ranges: the largest |value| float inference gave each graph tensor on the calibration samples.
    var observed: [String: Double] = [:]
    /// The current node's pending operands that have an observed magnitude, for `materialize` to recognize.
    var observedOperands: [(expressions: Tensor<Expression>, magnitude: Double)] = []
    /// The node being quantized, for error messages and step names.
    var currentNode: Node?
    /// The nodes whose pending results the current node absorbs, with it: a step's name.
    var currentOrigin: [Node] = []

    /// The largest magnitude any intermediate integer may reach; leaves headroom in 64-bit arithmetic.
    public static let valueLimit = 1 << 60

    init(settings: CompilerSettings, weights: WeightVisibility, reference: QuantizedModel?) {
        self.settings = settings
        self.weights = weights
        self.reference = reference?.parameters
        referenceTensors = reference?.tensors
    }

    func fail(_ problem: String) -> ModelError {
        currentNode.map { $0.error(problem) } ?? ModelError(problem)
    }

    public func info(_ id: Int) -> TensorInfo { tensors[id] }

    // MARK: - Operands

    /// The symbols of a materialized tensor. (Bind a new tensor's id first: in `quantizer.symbols(try
    /// quantizer.materialize(x))` Swift reads `quantizer` before the argument adds the tensor.)
    public func symbols(_ id: Int) -> Tensor<Expression> {
        Tensor(shape: tensors[id].shape, elements: (0..<tensors[id].count).map { Expression(symbol: Expression.symbol(tensor: id, element: $0)) })
    }

    /// An operand for op evaluation (materialized tensors as symbols).
    public func operand(_ value: QuantizedOperand) -> Operand {
        switch value {
        case let .tensor(id): .symbolic(symbols(id))
        case let .pending(expressions): .symbolic(expressions)
        case let .constant(constant): Operand(constant)
        }
    }

    /// The quantized form of an op's result: constants stay constants.
    func wrap(_ operand: Operand) -> QuantizedOperand {
        if let constant = operand.constant { return .constant(constant) }
        return .pending(operand.expressions)
    }

    public func shape(_ value: QuantizedOperand) -> [Int] {
        switch value {
        case let .tensor(id): tensors[id].shape
        case let .pending(expressions): expressions.shape
        case let .constant(constant): constant.shape
        }
    }

    mutating func rename(_ id: Int, to name: String) { tensors[id].name = name }

    /// The largest |value| of an integer range at `scale`, in real units.
    static func magnitude(_ range: ClosedRange<Int>, scale: Int) -> Double {
        Double(max(abs(range.lowerBound), abs(range.upperBound))) / pow(2, Double(scale))
    }

    /// Narrows a tensor's range where the op's semantics prove more than interval arithmetic sees (|x| ≥ 0 although
    /// it is computed as 2·relu(x) − x). Only for ranges every satisfying witness obeys.
    mutating func narrowRange(_ id: Int, to bounds: ClosedRange<Int>) {
        let range = tensors[id].range.clamped(to: bounds)
        tensors[id].range = range
        tensors[id].magnitude = Self.magnitude(range, scale: tensors[id].scale)
    }

    /// Replaces a tensor's error bound with one the caller proves (softmax's sum, relative to the exps it adds).
    mutating func setErrorBound(_ id: Int, _ bound: Double) { tensors[id].errorBound = bound }

    mutating func addTensor(_ info: TensorInfo) -> Int {
        tensors.append(info)
        return tensors.count - 1
    }

    mutating func addInput(name: String, shape: [Int], scale: Int, range: ClosedRange<Int>) -> Int {
        addTensor(TensorInfo(
            name: name, role: .input, shape: shape, elementType: .float, scale: scale, range: range,
            errorBound: 0.5 / Double(1 << scale), magnitude: Self.magnitude(range, scale: scale)))
    }

    /// A committed parameter tensor's symbols (hashed and private weights).
    mutating func parameter(named name: String, _ values: Tensor<Double>) -> Tensor<Expression> {
        let id = addTensor(TensorInfo(
            name: name, role: .parameter, shape: values.shape, elementType: .float, scale: Int.min, range: 0...0, errorBound: 0,
            magnitude: values.elements.map(abs).max() ?? 0))
        parameterValues[id] = values.elements
        return symbols(id)
    }

    /// Fixes a parameter's scale and bit width and quantizes its values; `headroom` bits stay free for retraining.
    private mutating func assignParameter(_ id: Int, scale requested: Int?, bits requestedBits: Int?) throws(ModelError) {
        let values = parameterValues[id]!
        let index = parameters.count
        let largest = values.map(abs).max() ?? 0
        var scale: Int
        var bits: Int
        if let reference {
            guard index < reference.count, reference[index].values.count == values.count else {
                throw fail("the parameters do not match the compiled model's architecture; compile (and set up) again")
            }
            scale = reference[index].scale
            bits = reference[index].bits
        } else if let requested {
            scale = requested
            let quantized = largest * pow(2, Double(scale))
            bits = BitWidth.signed(-Int(quantized.rounded())...Int(quantized.rounded())) + 1
        } else {
            bits = requestedBits ?? settings.weightBits
            let limit = Double((1 << (bits - 1)) - 1)
            scale = settings.maximumWeightScale
            if largest > 0 { scale = min(scale, Int(log2(limit / (2 * largest)).rounded(.down))) }
            guard scale >= 0 else { throw fail("weights up to \(largest) do not fit \(bits) bits; raise the weight bits") }
        }
        let unit = pow(2, Double(scale))
        var quantized: [Int] = []
        var error = 0.0
        for value in values {
            let scaled = (value * unit).rounded()
            guard abs(scaled) < Double(Quantizer.valueLimit >> 8) else { throw fail("a parameter is too large to quantize") }
            quantized.append(Int(scaled))
            error = max(error, abs(value - scaled / unit))
        }
        let limit = 1 << (bits - 1)
        if let bad = quantized.firstIndex(where: { $0 < -limit || $0 >= limit }) {
            throw fail("parameter \(bad) of '\(tensors[id].name)' (\(values[bad])) does not fit the compiled circuit's \(bits)-bit range; compile (and set up) again")
        }
        tensors[id].scale = scale
        tensors[id].range = -limit...(limit - 1)
        tensors[id].errorBound = error
        tensors[id].magnitude = (quantized.map { Double(abs($0)) }.max() ?? 0) / unit
        parameters.append(ParameterTensor(name: tensors[id].name, tensor: id, values: quantized, scale: scale, bits: bits))
    }

    // MARK: - Materialization

    /// Quantizes expressions into wires: coefficients become integers at a common accumulator scale, the accumulator is
    /// rescaled to `targetScale` (the activation scale by default), optionally through a fused ReLU.
    /// With `exact`, the result lands exactly at `targetScale` (free upscaling when the accumulator scale is lower).
    /// `coefficientBits` raises the precision of inexact coefficients beyond the weight bits (a mean's 1/n).
    /// With calibrated ranges, `observedMagnitude` (or the observed magnitude of the operand `value` is) bounds the
    /// range check of the result.
    public mutating func materialize(
        _ value: QuantizedOperand, relu: Bool = false, targetScale: Int? = nil, exact: Bool = false, rounding: Rounding? = nil,
        name: String? = nil, coefficientBits: Int? = nil, observedMagnitude: Double? = nil
    ) throws(ModelError) -> Int {
        if case let .tensor(id) = value, !relu {
            let scale = tensors[id].scale
            guard let targetScale else { return id }
            if scale == targetScale || (!exact && scale < targetScale) { return id }
        }
        let expressions: Tensor<Expression>
        switch value {
        case let .tensor(id): expressions = symbols(id)
        case let .pending(pending): expressions = pending
        case let .constant(constant): expressions = Operand(constant).expressions
        }
        if let problem = expressions.elements.lazy.compactMap(\.problem).first { throw fail(problem.message) }
        let rows = expressions.elements.map(Self.merged)

        // Parameters multiplied by activations take their scale from their values; the rest follow the accumulator.
        var productParameters = Set<Int>()
        var linearParameters = Set<Int>()
        for row in rows {
            for term in row.terms {
                for symbol in [term.left, term.right] where symbol >= 0 {
                    let tensor = Expression.tensor(of: symbol)
                    guard tensors[tensor].role == .parameter, tensors[tensor].scale == Int.min else { continue }
                    if term.right >= 0 { productParameters.insert(tensor) } else { linearParameters.insert(tensor) }
                }
            }
        }
        for id in productParameters.sorted() { try assignParameter(id, scale: nil, bits: nil) }
        linearParameters.subtract(productParameters)

        func termScale(_ term: Expression.Term) -> Int? {
            let left = tensors[Expression.tensor(of: term.left)].scale
            if left == Int.min { return nil }
            guard term.right >= 0 else { return left }
            let right = tensors[Expression.tensor(of: term.right)].scale
            return right == Int.min ? nil : left + right
        }
        var maximumTermScale = 0
        var largestRelative = 0.0
        for row in rows {
            for term in row.terms {
                guard let scale = termScale(term) else { continue }
                maximumTermScale = max(maximumTermScale, scale)
            }
        }
        for row in rows {
            for term in row.terms {
                guard let scale = termScale(term) else { continue }
                largestRelative = max(largestRelative, abs(term.coefficient) * pow(2, Double(maximumTermScale - scale)))
            }
        }
        // Extra fractional bits of the coefficients: the fewest that represent them exactly, else as many as fit.
        var coefficientScale = coefficientBits.map { max($0, settings.maximumWeightScale) } ?? settings.maximumWeightScale
        if largestRelative > 0 {
            let limit = Double((1 << ((coefficientBits ?? settings.weightBits) - 1)) - 1)
            coefficientScale = min(coefficientScale, max(0, Int(log2(limit / largestRelative).rounded(.down))))
        } else {
            coefficientScale = 0
        }
        func exactAt(_ extra: Int) -> Bool {
            for row in rows {
                for term in row.terms {
                    guard let scale = termScale(term) else { continue }
                    let scaled = term.coefficient * pow(2, Double(extra + maximumTermScale - scale))
                    if scaled != scaled.rounded() { return false }
                }
            }
            return true
        }
        if let smallest = (0...coefficientScale).first(where: exactAt) { coefficientScale = smallest }
        var accumulatorScale = coefficientScale + maximumTermScale
        for id in linearParameters.sorted() { try assignParameter(id, scale: accumulatorScale, bits: nil) }

        let target = targetScale ?? settings.activationScale
        if exact && accumulatorScale < target { accumulatorScale = target }
        let shift = max(0, accumulatorScale - target)
        let outputScale = accumulatorScale - shift
        let rounding = rounding ?? settings.rounding

        var step = AffineStep(rowEnds: [], coefficients: [], left: [], right: [], constants: [], shift: shift, rounding: rounding, quotientBits: 0, relu: relu,
                              coefficientScale: coefficientScale)
        var low = Int.max
        var high = Int.min
        var worstError = 0.0
        let accumulatorUnit = pow(2, Double(accumulatorScale))
        for row in rows {
            var rowLow = 0.0
            var rowHigh = 0.0
            var error = 0.0
            for term in row.terms {
                let scale = termScale(term)!
                let unit = pow(2, Double(accumulatorScale - scale))
                let scaled = (term.coefficient * unit).rounded()
                guard abs(scaled) < Double(Quantizer.valueLimit) else { throw fail("a coefficient (\(term.coefficient)) is too large to quantize") }
                let coefficient = Int(scaled)
                if coefficient == 0 && term.coefficient == 0 { continue }
                let quantizedCoefficient = scaled / unit
                let x = tensors[Expression.tensor(of: term.left)]
                var termLow: Double
                var termHigh: Double
                if term.right < 0 {
                    termLow = Double(x.range.lowerBound)
                    termHigh = Double(x.range.upperBound)
                    error += abs(quantizedCoefficient) * x.errorBound + abs(quantizedCoefficient - term.coefficient) * (x.magnitude + x.errorBound)
                } else {
                    let y = tensors[Expression.tensor(of: term.right)]
                    let corners = [Double(x.range.lowerBound) * Double(y.range.lowerBound), Double(x.range.lowerBound) * Double(y.range.upperBound),
                                   Double(x.range.upperBound) * Double(y.range.lowerBound), Double(x.range.upperBound) * Double(y.range.upperBound)]
                    termLow = corners.min()!
                    termHigh = corners.max()!
                    let product = x.magnitude * y.errorBound + y.magnitude * x.errorBound + x.errorBound * y.errorBound
                    error += abs(quantizedCoefficient) * product
                        + abs(quantizedCoefficient - term.coefficient) * (x.magnitude + x.errorBound) * (y.magnitude + y.errorBound)
                }
                let a = termLow * Double(coefficient)
                let b = termHigh * Double(coefficient)
                rowLow += min(a, b)
                rowHigh += max(a, b)
                step.coefficients.append(coefficient)
                step.left.append(term.left)
                step.right.append(term.right)
            }
            let constant = (row.constant * accumulatorUnit).rounded()
            guard abs(constant) < Double(Quantizer.valueLimit) else { throw fail("a constant (\(row.constant)) is too large to quantize") }
            error += abs(constant / accumulatorUnit - row.constant)
            rowLow += constant
            rowHigh += constant
            guard abs(rowLow) < Double(Quantizer.valueLimit), abs(rowHigh) < Double(Quantizer.valueLimit) else {
                throw fail("values may reach \(max(abs(rowLow), abs(rowHigh))), beyond 2^60; lower the activation scale or weight bits")
            }
            step.constants.append(Int(constant))
            step.rowEnds.append(step.coefficients.count)
            low = min(low, Int(rowLow))
            high = max(high, Int(rowHigh))
            worstError = max(worstError, error)
        }
        if rows.isEmpty { low = 0; high = 0 }
        var quotientLow = FixedPoint.rescale(low, shift: shift, rounding: rounding)
        var quotientHigh = FixedPoint.rescale(high, shift: shift, rounding: rounding)
        step.quotientBits = BitWidth.signed(quotientLow...quotientHigh)
        if let bits = calibratedBits(value, observedMagnitude, scale: outputScale), bits < step.quotientBits,
           max(quotientLow, -(1 << (bits - 1))) <= min(quotientHigh, (1 << (bits - 1)) - 1) {
            // The range check (the rescale's, a ReLU's, else one of its own) proves the narrower range.
            step.quotientBits = bits
            quotientLow = max(quotientLow, -(1 << (bits - 1)))
            quotientHigh = min(quotientHigh, (1 << (bits - 1)) - 1)
            if shift == 0 && !relu { step.rangeChecked = true }
        }
        if shift + step.quotientBits > maximumRangeBits || step.quotientBits > 61 {
            throw fail("values need \(step.quotientBits) bits, beyond what a range check proves; lower the activation scale")
        }
        let range = relu ? max(0, quotientLow)...max(0, quotientHigh) : quotientLow...quotientHigh
        let outputUnit = pow(2, Double(outputScale))
        if shift > 0 { worstError += (rounding == .halfUp ? 0.5 : 1) / outputUnit }
        return record(.affine(step), name: name, shape: expressions.shape, scale: outputScale, range: range,
                      error: worstError + 1e-12, elementType: .float)
    }

    /// The signed bits of a calibrated range check for the tensor about to be recorded: the margin times its observed
    /// magnitude (one unit of slack for rounding), or the matched model's range; nil with proven ranges.
    private func calibratedBits(_ value: QuantizedOperand, _ magnitude: Double?, scale: Int) -> Int? {
        guard let margin = settings.rangeMargin else { return nil }
        if let referenceTensors {
            return tensors.count < referenceTensors.count ? BitWidth.signed(referenceTensors[tensors.count].range) : nil
        }
        var magnitude = magnitude
        if magnitude == nil, case let .pending(expressions) = value {
            magnitude = observedOperands.first { $0.expressions.shape == expressions.shape && $0.expressions == expressions }?.magnitude
        }
        guard let magnitude, magnitude.isFinite else { return nil }
        let limit = margin * magnitude * pow(2, Double(scale)) + 1
        guard limit < Double(Quantizer.valueLimit) else { return nil }
        return BitWidth.signed(-Int(limit.rounded(.up))...Int(limit.rounded(.up)))
    }

    /// Appends a step and its output tensor.
    mutating func record(
        _ kind: StepKind, name: String? = nil, shape: [Int], scale: Int, range: ClosedRange<Int>, error: Double, elementType: ElementType
    ) -> Int {
        let node = currentNode
        let id = addTensor(TensorInfo(
            name: name ?? node.map { "\($0.name):\(tensors.count)" } ?? "tensor\(tensors.count)", role: .computed, shape: shape, elementType: elementType,
            scale: scale, range: range, errorBound: error, magnitude: Self.magnitude(range, scale: scale)))
        let origin = currentOrigin.isEmpty ? node.map { [$0] } ?? [] : currentOrigin
        steps.append(Step(
            name: origin.isEmpty ? (name ?? "output") : origin.map(\.name).joined(separator: "+"),
            operations: origin.isEmpty ? "output" : origin.map(\.type).joined(separator: "+"), output: id, kind: kind))
        // What this step absorbed is accounted for; later steps of the same node name the node alone.
        currentOrigin = node.map { [$0] } ?? []
        return id
    }

    /// Like terms merged (products keyed by their ordered pair), zeros dropped.
    private static func merged(_ expression: Expression) -> Expression {
        guard expression.terms.count > 1 else { return expression }
        struct Key: Hashable { var left: Int, right: Int }
        var index: [Key: Int] = [:]
        index.reserveCapacity(expression.terms.count)
        var terms: [Expression.Term] = []
        terms.reserveCapacity(expression.terms.count)
        for term in expression.terms {
            let key = Key(left: term.left, right: term.right)
            if let position = index[key] {
                terms[position].coefficient += term.coefficient
            } else {
                index[key] = terms.count
                terms.append(term)
            }
        }
        var result = expression
        result.terms = terms.filter { $0.coefficient != 0 }
        return result
    }

    // MARK: - Polynomial ops

    /// Evaluates a polynomial op symbolically. Constants in parameter positions become committed parameters when
    /// weights are not fixed; wide pending inputs of a contraction are materialized first.
    mutating func polynomial(_ op: some PolynomialOperator, _ node: Node, _ inputs: [QuantizedOperand?]) throws(ModelError) -> [QuantizedOperand] {
        var operands: [Operand?] = []
        let parameterPositions = Set(op.parameterInputs(node))
        for (position, input) in inputs.enumerated() {
            guard var input else { operands.append(nil); continue }
            if case let .pending(expressions) = input, op.isContraction, Self.isWide(expressions) {
                input = .tensor(try materialize(input))
            }
            if case let .constant(constant) = input, weights != .fixed, parameterPositions.contains(position),
               constant.elementType == .float, constant.shape.reduce(1, *) > 1 {
                operands.append(.symbolic(parameter(named: node.inputs[position], constant.floatTensor)))
                continue
            }
            operands.append(operand(input))
        }
        var outputs = try op.evaluate(node, operands)
        if outputs.contains(where: { if case let .symbolic(t) = $0 { t.elements.contains { $0.problem == .degree } } else { false } }) {
            // Materialize quadratic pending inputs and try again.
            for (position, input) in inputs.enumerated() {
                if case let .pending(expressions)? = input, expressions.elements.contains(where: \.isQuadratic) {
                    let id = try materialize(.pending(expressions))
                    operands[position] = .symbolic(symbols(id))
                }
            }
            outputs = try op.evaluate(node, operands)
        }
        for output in outputs {
            guard case let .symbolic(tensor) = output, let problem = tensor.elements.lazy.compactMap(\.problem).first else { continue }
            throw fail(problem.message)
        }
        return outputs.map(wrap)
    }

    /// More than two terms in some element: composing it into a contraction would multiply the terms.
    static func isWide(_ expressions: Tensor<Expression>) -> Bool {
        expressions.elements.contains { $0.terms.count > 2 || $0.isQuadratic }
    }

    // MARK: - Non-linear helpers for ops

    /// max(0, x), fused with the rescale when x is pending.
    public mutating func rectify(_ value: QuantizedOperand) throws(ModelError) -> Int {
        try materialize(value, relu: true)
    }

    /// A materialized tensor at exactly `scale` (free when the value has that scale or less).
    public mutating func aligned(_ value: QuantizedOperand, scale: Int) throws(ModelError) -> Int {
        try materialize(value, targetScale: scale, exact: true)
    }

    /// Windows of max or min over symbols of materialized tensors that share one scale.
    public mutating func maximum(_ windows: [[Int]], shape: [Int], negate: Bool) throws(ModelError) -> Int {
        let sourceTensors = Set(windows.joined().map(Expression.tensor(of:)))
        let scales = Set(sourceTensors.map { tensors[$0].scale })
        guard scales.count == 1, let scale = scales.first else { throw fail("the inputs of a max or min must share one scale") }
        let low = sourceTensors.map { tensors[$0].range.lowerBound }.min()!
        let high = sourceTensors.map { tensors[$0].range.upperBound }.max()!
        let error = sourceTensors.map { tensors[$0].errorBound }.max()!
        guard windows.allSatisfy({ !$0.isEmpty }) else { throw fail("a window holds no element") }
        let step = MaximumStep(windows: Windows(windows), negate: negate, differenceBits: BitWidth.unsigned(high - low))
        return record(.maximum(step), shape: shape, scale: scale, range: low...high, error: error,
                      elementType: .float)
    }

    public mutating func argmax(_ windows: [[Int]], shape: [Int], negate: Bool, selectLast: Bool) throws(ModelError) -> Int {
        let sourceTensors = Set(windows.joined().map(Expression.tensor(of:)))
        let low = sourceTensors.map { tensors[$0].range.lowerBound }.min()!
        let high = sourceTensors.map { tensors[$0].range.upperBound }.max()!
        let width = windows.map(\.count).max() ?? 1
        let step = ArgMaxStep(windows: Windows(windows), negate: negate, selectLast: selectLast, differenceBits: BitWidth.unsigned(high - low) + 1)
        return record(.argmax(step), shape: shape, scale: 0, range: 0...(width - 1), error: 0, elementType: .int64)
    }

    public mutating func sign(_ id: Int) throws(ModelError) -> Int {
        let range = tensors[id].range
        let magnitude = max(abs(range.lowerBound), abs(range.upperBound))
        return record(.sign(SignStep(input: id, bits: BitWidth.signed(-magnitude...magnitude))), shape: tensors[id].shape, scale: 0,
                      range: -1...1, error: 1, elementType: .float)
    }

    /// The proven booleans of a comparison on the exact integer difference tensor `id` (see `ComparisonStep`).
    public mutating func compare(_ id: Int, test: ComparisonStep.Test, complement: Bool, flipMargin: Double) -> Int {
        let step = ComparisonStep(input: id, test: test, complement: complement, bits: BitWidth.signed(tensors[id].range), flipMargin: flipMargin)
        return record(.comparison(step), shape: tensors[id].shape, scale: 0, range: 0...1, error: 0, elementType: .bool)
    }

    /// True when every element of the tensor is proven 0 or 1 (an integer at scale 0 with range within 0...1).
    public func isBoolean(_ id: Int) -> Bool {
        tensors[id].scale == 0 && tensors[id].range.lowerBound >= 0 && tensors[id].range.upperBound <= 1
    }

    /// True when expressions are integer combinations of integer-typed tensors (indices, booleans) and integer
    /// constants: their values are integers, as a cast to an integer type needs.
    public func isIntegerValued(_ expressions: Tensor<Expression>) -> Bool {
        expressions.elements.allSatisfy { element in
            element.problem == nil && element.constant == element.constant.rounded() && element.terms.allSatisfy { term in
                term.coefficient == term.coefficient.rounded()
                    && [term.left, term.right].allSatisfy { $0 < 0 || (tensors[Expression.tensor(of: $0)].elementType.isInteger && tensors[Expression.tensor(of: $0)].scale == 0) }
            }
        }
    }

    /// Marks an integer tensor at scale 0 (a class label computed from an index) as an index output.
    mutating func markIndex(_ id: Int) {
        precondition(tensors[id].scale == 0)
        tensors[id].elementType = .int64
    }

    /// Marks a tensor that every satisfying witness keeps in {0, 1} (a logic op's exact polynomial of proven bits) as
    /// boolean, which interval arithmetic alone cannot see.
    mutating func markBoolean(_ id: Int) {
        narrowRange(id, to: 0...1)
        tensors[id].elementType = .bool
    }

    /// a / b element-wise (broadcast) for a divisor whose proven range excludes zero, at the activation scale.
    public mutating func divide(_ numerator: QuantizedOperand, by denominator: QuantizedOperand) throws(ModelError) -> Int {
        let a = try materialize(numerator)
        let b = try materialize(denominator)
        let (x, y) = (tensors[a], tensors[b])
        guard let shape = Shape.broadcast([x.shape, y.shape]) else { throw fail("shapes \(x.shape) and \(y.shape) do not broadcast") }
        let xs = Shape.broadcastIndices(from: x.shape, to: shape)
        let ys = Shape.broadcastIndices(from: y.shape, to: shape)
        return try divide(a, xs, by: b, ys, shape: shape, error: nil)
    }

    /// Element k of the result is a[numerators[k]] / b[denominators[k]]; `error` replaces the generic bound when the
    /// caller proves a better one (softmax), and `within` the quotient's range when the caller proves it narrower than
    /// interval arithmetic (a normalization's |y| ≤ √n): the range check of q needs only to admit the honest quotient.
    mutating func divide(
        _ a: Int, _ numerators: [Int], by b: Int, _ denominators: [Int], shape: [Int], error given: Double?, within proven: ClosedRange<Int>? = nil,
        scale requestedScale: Int? = nil
    ) throws(ModelError) -> Int {
        let (x, y) = (tensors[a], tensors[b])
        guard y.range.lowerBound > 0 || y.range.upperBound < 0 else {
            throw fail("the divisor's proven range \(Double(y.range.lowerBound) / pow(2, Double(y.scale)))...\(Double(y.range.upperBound) / pow(2, Double(y.scale))) includes zero")
        }
        let negate = y.range.upperBound < 0
        let scale = requestedScale ?? settings.activationScale
        let k = scale + y.scale - x.scale
        let (numeratorShift, denominatorShift) = (max(k, 0), max(-k, 0))
        let nLow = (negate ? -x.range.upperBound : x.range.lowerBound) << numeratorShift
        let nHigh = (negate ? -x.range.lowerBound : x.range.upperBound) << numeratorShift
        let dLow = (negate ? -y.range.upperBound : y.range.lowerBound) << denominatorShift
        let dHigh = (negate ? -y.range.lowerBound : y.range.upperBound) << denominatorShift
        guard max(abs(nLow), abs(nHigh), dHigh) < Quantizer.valueLimit >> 2 else { throw fail("the division's operands are too large; lower the activation scale") }
        let corners = [nLow, nHigh].flatMap { n in [dLow, dHigh].map { d in FixedPoint.divide(2 * n + d, by: 2 * d, rounding: .floor) } }
        var range = corners.min()!...corners.max()!
        if let proven { range = range.clamped(to: proven) }
        let quotientBits = BitWidth.signed(range)
        guard quotientBits + BitWidth.unsigned(2 * dHigh) < maximumRangeBits - 4 else { throw fail("the division's quotient needs too many bits") }
        // |a/b − â/b̂| ≤ |a|·ε_b / (|b|·|b̂|) + ε_a / |b̂|, with |b̂| ≥ the divisor's smallest magnitude.
        let smallest = Double(min(abs(y.range.lowerBound), abs(y.range.upperBound))) / pow(2, Double(y.scale))
        var error = given ?? 0
        if given == nil {
            guard smallest > y.errorBound else { throw fail("the divisor can come within its error bound of zero, so the quotient's error has no bound") }
            error = (x.magnitude + x.errorBound) * y.errorBound / ((smallest - y.errorBound) * smallest) + x.errorBound / smallest
                + 0.5 / pow(2, Double(scale))
        }
        let step = DivisionStep(
            numerators: numerators.map { Expression.symbol(tensor: a, element: $0) }, denominators: denominators.map { Expression.symbol(tensor: b, element: $0) },
            numeratorShift: numeratorShift, denominatorShift: denominatorShift, negate: negate,
            remainderBits: BitWidth.unsigned(2 * dHigh - 1), quotientBits: quotientBits)
        return record(.division(step), shape: shape, scale: scale, range: range, error: error,
                      elementType: .float)
    }

    /// √x for x proven non-negative, at `outputScale` (by default the activation scale, or half the input's when that
    /// is finer). A pending input with a positive constant (an ε) is materialized at a scale that keeps the constant.
    public mutating func squareRoot(_ value: QuantizedOperand, outputScale: Int? = nil) throws(ModelError) -> Int {
        var id: Int
        if case let .pending(expressions) = value, let smallest = expressions.elements.map(\.constant).filter({ $0 > 0 }).min() {
            let needed = Int(log2(8 / smallest).rounded(.up))
            id = try materialize(value, targetScale: min(40, max(2 * settings.activationScale, needed)), exact: true)
        } else {
            id = try materialize(value)
        }
        if let outputScale, tensors[id].scale > 2 * outputScale { id = try materialize(.tensor(id), targetScale: 2 * outputScale) }
        let input = tensors[id]
        guard input.range.lowerBound >= 0 else {
            throw fail("the input's proven range reaches \(Double(input.range.lowerBound) / pow(2, Double(input.scale))): a square root of a negative value is not a number")
        }
        let scale = outputScale ?? max(settings.activationScale, (input.scale + 1) / 2)
        let shift = 2 * scale - input.scale
        guard input.range.upperBound < Quantizer.valueLimit >> shift else { throw fail("the square root's input is too large; lower the activation scale") }
        let high = FixedPoint.squareRoot(input.range.upperBound << shift)
        let low = FixedPoint.squareRoot(input.range.lowerBound << shift)
        let step = SquareRootStep(input: id, shift: shift, rootBits: BitWidth.unsigned(high), differenceBits: BitWidth.unsigned(2 * high))
        // |√a − √b| ≤ √|a − b|, and the floor loses less than one unit.
        return record(.squareRoot(step), shape: input.shape, scale: scale, range: low...high,
                      error: input.errorBound.squareRoot() + 1 / pow(2, Double(scale)),
                      elementType: .float)
    }

    /// The one-hot selector of integer indices into a table of `size` rows.
    public mutating func oneHot(_ id: Int, size: Int) throws(ModelError) -> Int {
        let index = tensors[id]
        guard index.scale == 0 else { throw fail("indices must be integers (scale 0), not fixed-point values at scale \(index.scale)") }
        // The selector itself proves 0 ≤ index < size (no witness exists otherwise), so only negative indices, which
        // ONNX counts from the end, are refused here; an index past the table fails at prove time, naming it.
        guard index.range.lowerBound >= 0, index.range.lowerBound < size else {
            throw fail("the indices' proven range \(index.range) is not within the table's \(size) rows (give the index input's range with --input-range)")
        }
        return record(.oneHot(OneHotStep(input: id, size: size)), shape: index.shape + [size], scale: 0, range: 0...1, error: 0, elementType: .float)
    }

    /// Round half to even to scale 0.
    public mutating func roundHalfEven(_ id: Int) throws(ModelError) -> Int {
        let input = tensors[id]
        let shift = max(0, input.scale)
        let half = shift > 0 ? 1 << (shift - 1) : 0
        let low = (input.range.lowerBound + half) >> shift
        let high = (input.range.upperBound + half) >> shift
        let step = RoundStep(input: id, shift: shift, quotientBits: max(2, BitWidth.signed(low...high)))
        return record(.round(step), shape: input.shape, scale: 0, range: (low - 1)...high, error: input.errorBound + 1,
                      elementType: .float)
    }

    /// The table of the function step that computed `id`.
    func fittedTable(of id: Int) -> FittedTable? {
        for step in steps.reversed() where step.output == id {
            if case let .function(function) = step.kind { return function.fitted }
        }
        return nil
    }

    /// f(x) element-wise through a fitted table, at `outputScale` (the activation scale by default). The error is the
    /// table's, measured over every input of the range, plus the input's error times f's slope bound.
    /// `realUpperBound` bounds the float model's input where the caller knows more (softmax's x − max ≤ 0).
    public mutating func function(
        _ id: Int, _ function: RealFunction, outputScale: Int? = nil, target: Double? = nil, realUpperBound: Double = .infinity
    ) throws(ModelError) -> Int {
        let input = tensors[id]
        guard function.kind != .log else { return try logarithm(id, outputScale: outputScale) }
        let outputScale = outputScale ?? settings.activationScale
        let fitted: FittedTable
        do {
            fitted = try FunctionFitting.fit(function, inputRange: input.range, inputScale: input.scale, outputScale: outputScale, target: target)
        } catch {
            throw fail(error.message)
        }
        let high = min(Double(input.range.upperBound) / pow(2, Double(input.scale)) + input.errorBound, realUpperBound)
        let step = FunctionStep(
            input: id, function: function, fitted: fitted, inputBits: BitWidth.signed(input.range), outputBits: BitWidth.signed(fitted.outputRange))
        return record(.function(step), shape: input.shape, scale: outputScale, range: fitted.outputRange,
                      error: min(function.slopeBound(upTo: high) * input.errorBound, function.span) + fitted.maximumError, elementType: .float)
    }

    /// ln x element-wise for x proven ≥ one integer unit, at `outputScale` (the activation scale by default). The table's
    /// error is measured over every input of the range (or, for ranges over 2^22 values, bounded term by term).
    public mutating func logarithm(_ id: Int, outputScale: Int? = nil) throws(ModelError) -> Int {
        let input = tensors[id]
        let outputScale = outputScale ?? settings.activationScale
        let inputUnit = pow(2, Double(input.scale))
        guard input.range.lowerBound >= 1 else {
            throw fail("the input's proven range reaches \(Double(input.range.lowerBound) / inputUnit): the logarithm of a value ≤ 0 is not a number")
        }
        let exponents = LogarithmTable.exponent(of: input.range.lowerBound)...LogarithmTable.exponent(of: input.range.upperBound)
        let mantissaBits = max(4, outputScale + 4)
        let fitted: FittedTable
        do {
            fitted = try FunctionFitting.fit(
                RealFunction(.log), inputRange: (1 << mantissaBits)...((2 << mantissaBits) - 1), inputScale: mantissaBits, outputScale: outputScale)
        } catch {
            throw fail(error.message)
        }
        let unit = pow(2, Double(outputScale + fitted.table.shift))
        let terms = exponents.map { (Double($0 - input.scale) * M_LN2 * unit).rounded() }
        guard terms.allSatisfy({ abs($0) < 0x1p60 }) else { throw fail("the logarithm's exponent terms are too large") }
        let table = LogarithmTable(exponents: exponents, mantissaBits: mantissaBits, table: fitted.table, exponentTerms: terms.map { Int($0) })
        let outputUnit = pow(2, Double(outputScale))
        var tableError: Double
        var range: ClosedRange<Int>
        if input.range.upperBound - input.range.lowerBound < FunctionFitting.widthLimit {
            tableError = 0
            var (low, high) = (Int.max, Int.min)
            for s in input.range {
                let y = table.evaluate(s)
                tableError = max(tableError, abs(Double(y) / outputUnit - Foundation.log(Double(s) / inputUnit)))
                (low, high) = (min(low, y), max(high, y))
            }
            range = low...high
        } else {
            // Rounding, the mantissa polynomial before rounding, the exponent terms, and the truncation ln((t+1)/t) ≤ 2^−M.
            var polynomial = 0.0
            for t in (1 << mantissaBits)..<(2 << mantissaBits) {
                polynomial = max(polynomial, abs(Double(fitted.table.accumulator(t)) / unit - Foundation.log(Double(t) / pow(2, Double(mantissaBits)))))
            }
            let exponentError = zip(exponents, terms).map { abs($1 / unit - Double($0 - input.scale) * M_LN2) }.max() ?? 0
            tableError = 0.5 / outputUnit + polynomial + exponentError + pow(2, -Double(mantissaBits))
            let low = Foundation.log(Double(input.range.lowerBound) / inputUnit) - tableError
            let high = Foundation.log(Double(input.range.upperBound) / inputUnit) + tableError
            range = Int((low * outputUnit).rounded(.down))...Int((high * outputUnit).rounded(.up))
        }
        let smallest = Double(input.range.lowerBound) / inputUnit
        let propagated = input.errorBound < smallest ? Foundation.log(smallest / (smallest - input.errorBound)) : Double.infinity
        guard propagated.isFinite else {
            throw fail("the input can come within its error bound (\(input.errorBound)) of zero, so the logarithm's error has no bound")
        }
        let step = LogarithmStep(input: id, table: table, outputBits: BitWidth.signed(range))
        return record(.logarithm(step), shape: input.shape, scale: outputScale, range: range, error: propagated + tableError, elementType: .float)
    }
}
