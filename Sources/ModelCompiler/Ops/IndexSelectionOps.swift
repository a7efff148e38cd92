import Foundation
import ModelIR

/// Ops whose outputs are chosen by indices computed in the circuit: TopK (small k) and OneHot.
enum IndexSelectionOps {
    static let all: [any Operator] = [TopKOp(), OneHotOp()]
}

/// TopK for k up to `largestK`: k rounds of the argmax gadget over the elements not yet chosen (each chosen element is
/// pushed below every other by subtracting more than the range's width, through its constrained one-hot selector),
/// so ties resolve to the lower index as onnxruntime's do, and no larger element can be left out. Each round costs
/// the argmax (about n·(bits + 3) constraints), a one-hot of n + 2 and n products for the value.
struct TopKOp: Operator {
    let types = ["TopK"]
    static let largestK = 16

    struct Layout {
        var outer: Int, length: Int, inner: Int, k: Int
        var outputShape: [Int]
        func element(_ outer: Int, _ position: Int, _ inner: Int) -> Int { (outer * length + position) * self.inner + inner }
        func output(_ outer: Int, _ rank: Int, _ inner: Int) -> Int { (outer * k + rank) * self.inner + inner }
    }

    func layout(_ node: Node, shape: [Int], _ k: Operand?) throws(ModelError) -> (Layout, largest: Bool) {
        try node.allow(["axis", "largest", "sorted", "k"])
        guard try node.int("sorted", default: 1) == 1 else { throw node.unsupported("sorted", "1 (sorted outputs)") }
        guard let axis = Shape.normalize(axis: try node.int("axis", default: -1), rank: shape.count) else { throw node.error("axis out of range for \(shape)") }
        let count: Int
        if let k {
            guard let values = k.constant?.integers, values.count == 1 else { throw node.error("K must be a compile-time constant") }
            count = values[0]
        } else {
            count = try node.int("k", default: -1)
        }
        guard count >= 0, count <= shape[axis] else { throw node.error("K = \(count) is not within 0...\(shape[axis])") }
        var outputShape = shape
        outputShape[axis] = count
        let layout = Layout(outer: Shape.count(Array(shape[..<axis])), length: shape[axis], inner: Shape.count(Array(shape[(axis + 1)...])), k: count,
                            outputShape: outputShape)
        return (layout, try node.int("largest", default: 1) == 1)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0)
        let (layout, largest) = try layout(node, shape: x.shape, inputs.count > 1 ? inputs[1] : nil)
        let values = x.doubles.elements
        var chosen = Array(repeating: 0.0, count: Shape.count(layout.outputShape))
        var indices = Array(repeating: 0, count: chosen.count)
        for outer in 0..<layout.outer {
            for inner in 0..<layout.inner {
                // Stable: among equal values the lower index first (onnxruntime's order).
                let order = (0..<layout.length).sorted { a, b in
                    let (p, q) = (values[layout.element(outer, a, inner)], values[layout.element(outer, b, inner)])
                    return p != q ? (largest ? p > q : p < q) : a < b
                }
                for rank in 0..<layout.k {
                    chosen[layout.output(outer, rank, inner)] = values[layout.element(outer, order[rank], inner)]
                    indices[layout.output(outer, rank, inner)] = order[rank]
                }
            }
        }
        let valueOperand: Operand = x.elementType.isInteger
            ? .integer(Tensor(shape: layout.outputShape, elements: chosen.map { Int($0) }), x.elementType)
            : .float(Tensor(shape: layout.outputShape, elements: chosen))
        return [valueOperand, .integer(Tensor(shape: layout.outputShape, elements: indices), .int64)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let given = try required(node, inputs, 0)
        let kOperand = inputs.count > 1 ? inputs[1].map { quantizer.operand($0) } : nil
        if case let .constant(constant) = given { return try folded(node, [Operand(constant), kOperand]) }
        let x = try quantizer.materialize(given)
        let info = quantizer.info(x)
        let (layout, largest) = try layout(node, shape: info.shape, kOperand)
        guard layout.k <= Self.largestK else { throw node.error("K = \(layout.k) is above the \(Self.largestK) this compiler proves (one argmax per rank)") }
        let groups = layout.outer * layout.inner
        // More than the range's width, in real units: a chosen element drops below (or, for the smallest, above) all.
        let push = Double(info.range.upperBound - info.range.lowerBound + 1) / pow(2, Double(info.scale))
        func element(_ tensor: Int, _ index: Int) -> Expression { Expression(symbol: Expression.symbol(tensor: tensor, element: index)) }
        var selectors: [Int] = []
        var indexTensors: [Int] = []
        var values = Array(repeating: Expression.zero, count: Shape.count(layout.outputShape))
        for rank in 0..<layout.k {
            var masked = Array(repeating: Expression.zero, count: groups * layout.length)
            for group in 0..<groups {
                let (outer, inner) = (group / layout.inner, group % layout.inner)
                for position in 0..<layout.length {
                    var value = element(x, layout.element(outer, position, inner))
                    for selector in selectors { value = value - element(selector, group * layout.length + position).scaled(by: largest ? push : -push) }
                    masked[group * layout.length + position] = value
                }
            }
            let candidates = try quantizer.aligned(.pending(Tensor(shape: [masked.count], elements: masked)), scale: info.scale)
            let windows = (0..<groups).map { group in (0..<layout.length).map { Expression.symbol(tensor: candidates, element: group * layout.length + $0) } }
            let index = try quantizer.argmax(windows, shape: [groups], negate: !largest, selectLast: false)
            let selector = try quantizer.oneHot(index, size: layout.length)
            selectors.append(selector)
            indexTensors.append(index)
            for group in 0..<groups {
                let (outer, inner) = (group / layout.inner, group % layout.inner)
                values[layout.output(outer, rank, inner)] = (0..<layout.length).reduce(Expression.zero) { sum, position in
                    sum + element(selector, group * layout.length + position) * element(x, layout.element(outer, position, inner))
                }
            }
        }
        var indexExpressions = Array(repeating: Expression.zero, count: values.count)
        for (rank, tensor) in indexTensors.enumerated() {
            for group in 0..<groups { indexExpressions[layout.output(group / layout.inner, rank, group % layout.inner)] = element(tensor, group) }
        }
        let indices = try quantizer.materialize(.pending(Tensor(shape: layout.outputShape, elements: indexExpressions)), targetScale: 0, exact: true)
        quantizer.markIndex(indices)
        return [.pending(Tensor(shape: layout.outputShape, elements: values)), .tensor(indices)]
    }
}

/// OneHot(indices, depth, values) on the last axis: off + (on − off)·e for the constrained one-hot selector e (depth + 2
/// constraints per index). Indices must be proven in 0..<depth (ONNX's negative indices count from the end; give the
/// index input's range).
struct OneHotOp: Operator {
    let types = ["OneHot"]

    func parameters(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> (depth: Int, off: Double, on: Double) {
        try node.allow(["axis"])
        guard try node.int("axis", default: -1) == -1 else { throw node.unsupported("axis", "-1 (the new last axis)") }
        guard let depth = try required(node, inputs, 1).constant?.doubles.first, depth >= 1, depth <= Double(1 << 20) else {
            throw node.error("depth must be a positive compile-time constant")
        }
        guard let pair = try required(node, inputs, 2).constant?.doubles, pair.count == 2 else { throw node.error("values must be a constant [off, on]") }
        return (Int(depth), pair[0], pair[1])
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let (depth, off, on) = try parameters(node, inputs)
        let indices = try required(node, inputs, 0)
        let elements = indices.integers.elements.flatMap { index -> [Double] in
            let position = index < 0 ? index + depth : index
            return (0..<depth).map { $0 == position ? on : off }
        }
        let shape = indices.shape + [depth]
        if let type = inputs[2]?.elementType, type.isInteger { return [.integer(Tensor(shape: shape, elements: elements.map { Int($0) }), type)] }
        return [.float(Tensor(shape: shape, elements: elements))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        if case .constant = try required(node, inputs, 0) { return try folded(node, operands) }
        let (depth, off, on) = try parameters(node, operands)
        let index = try quantizer.materialize(try required(node, inputs, 0))
        let selector = try quantizer.oneHot(index, size: depth)
        return [.pending(quantizer.symbols(selector).map { Expression(constant: off) + $0.scaled(by: on - off) })]
    }
}
