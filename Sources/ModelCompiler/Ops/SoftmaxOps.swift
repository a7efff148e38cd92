import Foundation
import ModelIR

/// Softmax, LogSoftmax and ReduceLogSumExp on any axes: the maximum subtracted (proven to be one of the elements), exp
/// through a table at a finer scale, the sum, then an exact division (Softmax) or the logarithm of the sum.
enum SoftmaxOps {
    static let all: [any Operator] = [SoftmaxOp(), ReduceLogSumExpOp()]

    /// Fractional bits the exps carry beyond the activation scale.
    static let extraExpBits = 5

    /// A pending input's elements with a constant below this are masked (an attention mask's −∞ or −1e9): their exp
    /// is exactly 0 in float, so they drop out of the sums and their softmax is the constant 0.
    static let maskThreshold = -1e8

    /// The elements of a pending input that a mask removes, and the input with them zeroed (so it quantizes).
    static func unmask(_ operand: QuantizedOperand) -> (QuantizedOperand, Set<Int>) {
        guard case var .pending(expressions) = operand else { return (operand, []) }
        var masked = Set<Int>()
        for (index, element) in expressions.elements.enumerated() where element.constant < maskThreshold {
            masked.insert(index)
            expressions.elements[index] = .zero
        }
        return (.pending(expressions), masked)
    }

    /// exp(x − max) per group (of element indices of x) and the sums, with what their error analysis needs; the exps
    /// are a compact tensor in group order.
    struct Exponentials {
        var shifted: Int
        var largest: Int
        var exps: Int
        var sums: Int
        /// For each exp, its element of x and its group.
        var elements: [Int]
        var groupOf: [Int]
        /// The exp table's error over every input, in real units.
        var expError: Double
        var groupSize: Int
        /// Every sum is at least this (one exp(0) per group, the others ≥ the table's least value), in real units.
        var smallestSum: Double
    }

    static func exponentials(_ node: Node, _ x: Int, groups: [[Int]], _ quantizer: inout Quantizer) throws(ModelError) -> Exponentials {
        let input = quantizer.info(x)
        let elements = groups.flatMap { $0 }
        let groupOf = groups.enumerated().flatMap { group, members in Array(repeating: group, count: members.count) }
        func symbol(_ tensor: Int, _ element: Int) -> Expression { Expression(symbol: Expression.symbol(tensor: tensor, element: element)) }

        // d = x − max(x) ≤ 0, and one d per group is exactly 0 (the maximum gadget proves max ∈ x).
        let largest = try quantizer.maximum(groups.map { $0.map { Expression.symbol(tensor: x, element: $0) } }, shape: [groups.count], negate: false)
        let difference = Tensor(shape: [elements.count], elements: elements.indices.map { symbol(x, elements[$0]) - symbol(largest, groupOf[$0]) })
        let shifted = try quantizer.aligned(.pending(difference), scale: input.scale)
        quantizer.narrowRange(shifted, to: Int.min...0)

        let expScale = quantizer.settings.activationScale + extraExpBits
        let exps = try quantizer.function(shifted, RealFunction(.exp), outputScale: expScale, realUpperBound: 0)
        let table = quantizer.fittedTable(of: exps)!
        guard table.outputRange.lowerBound >= 0 else { throw node.error("the exp table reaches a negative value") }
        let size = groups.map(\.count).max() ?? 1
        var sums = Tensor(shape: [groups.count], repeating: Expression.zero)
        for (position, group) in groupOf.enumerated() { sums.elements[group] += symbol(exps, position) }
        let sum = try quantizer.aligned(.pending(sums), scale: expScale)
        let smallestGroup = groups.map(\.count).min() ?? 1
        quantizer.narrowRange(sum, to: (table.table.evaluate(0) + (smallestGroup - 1) * table.outputRange.lowerBound)...Int.max)
        // Relative to the exact sum of exps of the quantized differences: off by at most n·η.
        quantizer.setErrorBound(sum, Double(size) * table.maximumError)
        return Exponentials(
            shifted: shifted, largest: largest, exps: exps, sums: sum, elements: elements, groupOf: groupOf, expError: table.maximumError, groupSize: size,
            smallestSum: Double(quantizer.info(sum).range.lowerBound) / pow(2, Double(expScale)))
    }
}

struct SoftmaxOp: Operator {
    let types = ["Softmax", "LogSoftmax"]

    func plan(_ node: Node, shape: [Int]) throws(ModelError) -> ReductionOps.Plan {
        try node.allow(["axis", "coerce_2d"])
        guard let axis = Shape.normalize(axis: try node.int("axis", default: -1), rank: shape.count) else {
            throw node.error("axis out of range for \(shape)")
        }
        // Before opset 13 (normalized on import): over every axis from `axis` on.
        let axes = try node.int("coerce_2d", default: 0) == 1 ? Array(axis..<shape.count) : [axis]
        return try ReductionOps.plan(Node(name: node.name, type: node.type, inputs: [], outputs: []), shape: shape, axes: axes)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0).doubles
        var result = x
        for group in try plan(node, shape: x.shape).groups {
            let largest = group.map { x.elements[$0] }.max() ?? 0
            let sum = group.reduce(0.0) { $0 + Foundation.exp(x.elements[$1] - largest) }
            for index in group {
                let shifted = x.elements[index] - largest
                result.elements[index] = node.type == "Softmax" ? Foundation.exp(shifted) / sum : shifted - Foundation.log(sum)
            }
        }
        return [.float(result)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let given = try required(node, inputs, 0)
        if case let .constant(constant) = given { return try folded(node, [Operand(constant)]) }
        let (operand, masked) = SoftmaxOps.unmask(given)
        let x = try quantizer.materialize(operand)
        let input = quantizer.info(x)
        let groups = try plan(node, shape: input.shape).groups.map { $0.filter { !masked.contains($0) } }
        guard groups.allSatisfy({ !$0.isEmpty }) else { throw node.error("a mask removes every element of a softmax row") }
        guard masked.isEmpty || node.type == "Softmax" else { throw node.error("a masked LogSoftmax has −∞ outputs, which fixed point cannot hold") }
        let terms = try SoftmaxOps.exponentials(node, x, groups: groups, &quantizer)

        if node.type == "LogSoftmax" {
            // d − ln Σ exp(d): the log's bound covers the sum's n·η; LogSoftmax moves by at most twice the largest input
            // error (its Jacobian's rows sum to 2(1 − pᵢ)), which the difference's own bound (2ε) accounts for.
            let log = try quantizer.logarithm(terms.sums, outputScale: input.scale)
            var result = Tensor(shape: input.shape, repeating: Expression.zero)
            for (position, element) in terms.elements.enumerated() {
                result.elements[element] = Expression(symbol: Expression.symbol(tensor: terms.shifted, element: position))
                    - Expression(symbol: Expression.symbol(tensor: log, element: terms.groupOf[position]))
            }
            return [.pending(result)]
        }
        // With exps off by at most η each and proved sums Ŝ ≥ S₀: |ê/Ŝ − e/S| ≤ (1 + n)·η / S₀. Softmax moves by at
        // most half the largest input error (its Jacobian's rows sum to 2p(1 − p) ≤ ½); the division rounds by ½ unit.
        // Probabilities carry the exps' extra bits: attention weights multiply values, and small ones matter.
        let scale = quantizer.settings.activationScale + SoftmaxOps.extraExpBits
        let n = Double(terms.groupSize)
        let smallest = terms.smallestSum
        let error = 0.5 * input.errorBound + (1 + n) * terms.expError / smallest + 0.5 / pow(2, Double(scale))
        // ê ≤ Ŝ, as every exp is ≥ 0: p ∈ [0, 1].
        let count = terms.elements.count
        let p = try quantizer.divide(
            terms.exps, Array(0..<count), by: terms.sums, terms.groupOf, shape: [count], error: min(1, error), within: 0...(1 << scale), scale: scale)
        var result = Tensor(shape: input.shape, repeating: Expression.zero)
        for (position, element) in terms.elements.enumerated() {
            result.elements[element] = Expression(symbol: Expression.symbol(tensor: p, element: position))
        }
        return [.pending(result)]
    }
}

/// log Σ exp(x) over axes: max + ln Σ exp(x − max).
struct ReduceLogSumExpOp: Operator {
    let types = ["ReduceLogSumExp"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["axes", "keepdims", "noop_with_empty_axes"])
        let x = try required(node, inputs, 0).doubles
        let plan = try ReductionOps.plan(node, shape: x.shape, axes: try constantIntegers(node, inputs, 1, what: "axes"))
        let values = plan.groups.map { group -> Double in
            let largest = group.map { x.elements[$0] }.max() ?? 0
            return largest + Foundation.log(group.reduce(0.0) { $0 + Foundation.exp(x.elements[$1] - largest) })
        }
        return [.float(Tensor(shape: plan.shape, elements: values))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        let operand = try required(node, inputs, 0)
        if case let .constant(constant) = operand { return try folded(node, [Operand(constant)] + operands.dropFirst().map { $0 }) }
        let x = try quantizer.materialize(operand)
        let input = quantizer.info(x)
        let plan = try ReductionOps.plan(node, shape: input.shape, axes: try constantIntegers(node, operands, 1, what: "axes"))
        let terms = try SoftmaxOps.exponentials(node, x, groups: plan.groups, &quantizer)
        // LogSumExp is 1-Lipschitz: the max's error (ε) plus the log's bound.
        let log = try quantizer.logarithm(terms.sums, outputScale: input.scale)
        let result = Tensor(shape: plan.shape, elements: (0..<plan.groups.count).map {
            Expression(symbol: Expression.symbol(tensor: terms.largest, element: $0)) + Expression(symbol: Expression.symbol(tensor: log, element: $0))
        })
        return [.pending(result)]
    }
}
