import Foundation
import ModelIR

/// Ops that only move elements: zero constraints (the circuit rewires).
enum LayoutOps {
    static let all: [any Operator] = [
        IdentityOp(), ReshapeOp(), FlattenOp(), SqueezeOp(), UnsqueezeOp(), TransposeOp(), SliceOp(), ConcatOp(), SplitOp(),
        GatherOp(), ExpandOp(), TileOp(), PadOp(), DepthToSpaceOp(), SpaceToDepthOp(), ResizeOp(), TriluOp(),
    ]

    /// The identity map onto a new shape.
    static func identity(_ shape: [Int]) -> IndexMap {
        IndexMap(shape: shape, sources: Array(0..<Shape.count(shape)))
    }

    /// out[i] = in[source(coordinates of i)] for a permutation-like rule over coordinates.
    static func map(_ input: [Int], to output: [Int], _ source: ([Int]) -> [Int]?) -> IndexMap {
        let inputStrides = Shape.strides(input)
        var sources: [Int] = []
        sources.reserveCapacity(Shape.count(output))
        var coordinates = [Int](repeating: 0, count: output.count)
        for _ in 0..<Shape.count(output) {
            if let from = source(coordinates) {
                sources.append(zip(from, inputStrides).reduce(0) { $0 + $1.0 * $1.1 })
            } else {
                sources.append(-1)
            }
            WindowGeometry.advance(&coordinates, within: output)
        }
        return IndexMap(shape: output, sources: sources)
    }
}

/// Identity and inference-mode Dropout (its mask output, when asked for, is all true).
struct IdentityOp: LayoutOperator {
    let types = ["Identity", "Dropout"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(node.type == "Dropout" ? ["seed", "ratio", "training_mode", "is_test"] : [])
        if node.type == "Dropout", let training = try constantIntegers(node, inputs, 2, what: "training_mode"), training.first == 1 {
            throw node.error("training_mode = 1 is not supported (inference only)")
        }
        return [LayoutOps.identity(try required(node, inputs, 0).shape)]
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let data = try required(node, inputs, 0)
        _ = try layout(node, inputs)
        return node.type == "Dropout" && node.outputs.count > 1
            ? [data, .integer(Tensor(shape: data.shape, repeating: 1), .bool)] : [data]
    }
}

struct ReshapeOp: LayoutOperator {
    let types = ["Reshape"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["allowzero"])
        let shape = try required(node, inputs, 0).shape
        guard let target = try constantIntegers(node, inputs, 1, what: "the target shape") else { throw node.error("the target shape is missing") }
        let allowZero = try node.int("allowzero", default: 0) == 1
        var result = target.enumerated().map { index, size in size == 0 && !allowZero && index < shape.count ? shape[index] : size }
        let count = Shape.count(shape)
        let unknown = result.indices.filter { result[$0] == -1 }
        guard unknown.count <= 1, result.allSatisfy({ $0 >= -1 }) else { throw node.error("invalid target shape \(target)") }
        if let position = unknown.first {
            let known = result.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, count % known == 0 else { throw node.error("cannot reshape \(shape) to \(target)") }
            result[position] = count / known
        }
        guard Shape.count(result) == count else { throw node.error("cannot reshape \(shape) (\(count) elements) to \(target)") }
        return [LayoutOps.identity(result)]
    }
}

struct FlattenOp: LayoutOperator {
    let types = ["Flatten"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["axis"])
        let shape = try required(node, inputs, 0).shape
        let axis = try node.int("axis", default: 1)
        guard let position = Shape.normalize(axis: axis, rank: shape.count + 1), position <= shape.count else {
            throw node.error("axis \(axis) is out of range for shape \(shape)")
        }
        return [LayoutOps.identity([Shape.count(Array(shape[..<position])), Shape.count(Array(shape[position...]))])]
    }
}

struct SqueezeOp: LayoutOperator {
    let types = ["Squeeze"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow([])
        let shape = try required(node, inputs, 0).shape
        let axes = try constantIntegers(node, inputs, 1, what: "axes").map { axes throws(ModelError) in try normalizeAxes(node, axes, rank: shape.count) }
            ?? shape.indices.filter { shape[$0] == 1 }
        for axis in axes where shape[axis] != 1 { throw node.error("cannot squeeze axis \(axis) of shape \(shape)") }
        return [LayoutOps.identity(shape.indices.filter { !axes.contains($0) }.map { shape[$0] })]
    }
}

struct UnsqueezeOp: LayoutOperator {
    let types = ["Unsqueeze"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow([])
        let shape = try required(node, inputs, 0).shape
        guard let given = try constantIntegers(node, inputs, 1, what: "axes") else { throw node.error("axes are missing") }
        let axes = try normalizeAxes(node, given, rank: shape.count + given.count)
        var result: [Int] = []
        var source = shape.makeIterator()
        for axis in 0..<(shape.count + axes.count) { result.append(axes.contains(axis) ? 1 : source.next()!) }
        return [LayoutOps.identity(result)]
    }
}

struct TransposeOp: LayoutOperator {
    let types = ["Transpose"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["perm"])
        let shape = try required(node, inputs, 0).shape
        let perm = try node.ints("perm", default: Array(shape.indices.reversed()))
        guard perm.count == shape.count, Set(perm) == Set(shape.indices) else { throw node.error("perm \(perm) is not a permutation of \(shape.count) axes") }
        let output = perm.map { shape[$0] }
        return [LayoutOps.map(shape, to: output) { coordinates in
            var source = [Int](repeating: 0, count: shape.count)
            for (axis, from) in perm.enumerated() { source[from] = coordinates[axis] }
            return source
        }]
    }
}

struct SliceOp: LayoutOperator {
    let types = ["Slice"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow([])
        let shape = try required(node, inputs, 0).shape
        guard let starts = try constantIntegers(node, inputs, 1, what: "starts"),
              let ends = try constantIntegers(node, inputs, 2, what: "ends") else { throw node.error("starts and ends are required") }
        let axes = try normalizeAxes(node, try constantIntegers(node, inputs, 3, what: "axes") ?? Array(0..<starts.count), rank: shape.count)
        let steps = try constantIntegers(node, inputs, 4, what: "steps") ?? Array(repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw node.error("starts, ends, axes and steps must have the same length")
        }
        var begin = [Int](repeating: 0, count: shape.count)
        var step = [Int](repeating: 1, count: shape.count)
        var output = shape
        for (index, axis) in axes.enumerated() {
            let size = shape[axis]
            let stride = steps[index]
            guard stride != 0 else { throw node.error("a step of 0") }
            func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }
            var start = starts[index] < 0 ? starts[index] + size : starts[index]
            var end = ends[index] < 0 ? ends[index] + size : ends[index]
            if ends[index] <= Int(Int32.min) { end = -1 }
            if stride > 0 {
                start = clamp(start, 0, size)
                end = clamp(end, 0, size)
                output[axis] = max(0, (end - start + stride - 1) / stride)
            } else {
                start = clamp(start, 0, size - 1)
                end = clamp(end, -1, size - 1)
                output[axis] = max(0, (start - end + (-stride) - 1) / (-stride))
            }
            begin[axis] = start
            step[axis] = stride
        }
        return [LayoutOps.map(shape, to: output) { coordinates in zip(coordinates.indices, coordinates).map { begin[$0] + $1 * step[$0] } }]
    }
}

struct ConcatOp: LayoutOperator {
    let types = ["Concat"]

    func dataInputs(_ node: Node) -> [Int] { Array(node.inputs.indices) }

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["axis"])
        let shapes = inputs.compactMap { $0?.shape }
        guard let first = shapes.first else { throw node.error("no inputs") }
        guard let axis = Shape.normalize(axis: try node.int("axis", default: 1), rank: first.count) else { throw node.error("axis out of range for \(first)") }
        for shape in shapes where shape.count != first.count || shape.indices.contains(where: { $0 != axis && shape[$0] != first[$0] }) {
            throw node.error("cannot concatenate \(shape) with \(first) on axis \(axis)")
        }
        var output = first
        output[axis] = shapes.map { $0[axis] }.reduce(0, +)
        let offsets = shapes.map { $0[axis] }.reduce(into: [0]) { $0.append($0.last! + $1) }
        var sources: [Int] = []
        let outer = Shape.count(Array(first[..<axis]))
        let inner = Shape.count(Array(first[(axis + 1)...]))
        for o in 0..<outer {
            for (input, shape) in shapes.enumerated() {
                let block = shape[axis] * inner
                for i in 0..<block { sources.append(IndexMap.source(input: input, element: o * block + i)) }
            }
        }
        _ = offsets
        return [IndexMap(shape: output, sources: sources)]
    }
}

struct SplitOp: LayoutOperator {
    let types = ["Split"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["axis", "num_outputs"])
        let shape = try required(node, inputs, 0).shape
        guard let axis = Shape.normalize(axis: try node.int("axis", default: 0), rank: shape.count) else { throw node.error("axis out of range for \(shape)") }
        let outputs = node.outputs.count
        var sizes = try constantIntegers(node, inputs, 1, what: "split") ?? []
        if sizes.isEmpty {
            let parts = try node.int("num_outputs", default: outputs)
            let chunk = (shape[axis] + parts - 1) / parts
            sizes = (0..<parts).map { min(chunk, max(0, shape[axis] - $0 * chunk)) }
        }
        guard sizes.reduce(0, +) == shape[axis], sizes.allSatisfy({ $0 >= 0 }) else { throw node.error("split sizes \(sizes) do not add up to \(shape[axis])") }
        var start = 0
        var maps: [IndexMap] = []
        for size in sizes {
            var output = shape
            output[axis] = size
            let begin = start
            maps.append(LayoutOps.map(shape, to: output) { coordinates in
                var source = coordinates
                source[axis] += begin
                return source
            })
            start += size
        }
        return maps
    }
}

/// Gather: with compile-time indices a rewiring; with a variable index (an embedding lookup) a constrained one-hot
/// selection per index, then Σ eⱼ·rowⱼ (free for a constant table, one product per term for an activation).
struct GatherOp: LayoutOperator {
    let types = ["Gather"]

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        let indices = try required(node, inputs, 1)
        if case .constant = indices { return try rewire(node, inputs, quantizer) }
        try node.allow(["axis"])
        var data = try required(node, operands, 0).expressions
        // A constant table is rounded to the activation scale, so the selection is exact at that scale: each output is
        // one table value, off by at most half a unit.
        let scale = quantizer.settings.activationScale
        let constantTable = data.elements.allSatisfy { $0.constantValue != nil }
        if constantTable {
            let unit = pow(2, Double(scale))
            data = data.map { Expression(constant: ($0.constant * unit).rounded() / unit) }
        }
        guard let axis = Shape.normalize(axis: try node.int("axis", default: 0), rank: data.rank) else { throw node.error("axis out of range for \(data.shape)") }
        let size = data.shape[axis]
        let index = try quantizer.materialize(indices)
        let selectorID = try quantizer.oneHot(index, size: size)
        let selector = quantizer.symbols(selectorID)
        let indexShape = quantizer.info(index).shape
        let outer = Shape.count(Array(data.shape[..<axis]))
        let inner = Shape.count(Array(data.shape[(axis + 1)...]))
        let count = Shape.count(indexShape)
        var elements: [Expression] = []
        elements.reserveCapacity(outer * count * inner)
        for o in 0..<outer {
            for i in 0..<count {
                for r in 0..<inner {
                    var sum = Expression.zero
                    for j in 0..<size { sum += selector.elements[i * size + j] * data.elements[(o * size + j) * inner + r] }
                    elements.append(sum)
                }
            }
        }
        let shape = Array(data.shape[..<axis]) + indexShape + Array(data.shape[(axis + 1)...])
        guard constantTable else { return [.pending(Tensor(shape: shape, elements: elements))] }
        let largest = data.elements.map { abs($0.constant) }.max() ?? 0
        let bits = scale + Int(log2(largest + 1).rounded(.up)) + 2
        let selected = try quantizer.materialize(
            .pending(Tensor(shape: shape, elements: elements)), targetScale: scale, exact: true, coefficientBits: bits)
        quantizer.setErrorBound(selected, 0.5 / pow(2, Double(scale)))
        return [.tensor(selected)]
    }

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["axis"])
        let shape = try required(node, inputs, 0).shape
        let indexOperand = try required(node, inputs, 1)
        guard let indices = indexOperand.constant?.integers else {
            throw node.error("Gather with a variable index (an embedding lookup) is not supported yet; indices must be constants")
        }
        guard let axis = Shape.normalize(axis: try node.int("axis", default: 0), rank: shape.count) else { throw node.error("axis out of range for \(shape)") }
        let size = shape[axis]
        var resolved: [Int] = []
        for index in indices {
            let value = index < 0 ? index + size : index
            guard (0..<size).contains(value) else { throw node.error("index \(index) is out of range for axis \(axis) of \(shape)") }
            resolved.append(value)
        }
        let indexShape = indexOperand.shape
        let output = Array(shape[..<axis]) + indexShape + Array(shape[(axis + 1)...])
        return [LayoutOps.map(shape, to: output) { coordinates in
            let position = coordinates[axis..<(axis + indexShape.count)]
            let flat = zip(position, Shape.strides(indexShape)).reduce(0) { $0 + $1.0 * $1.1 }
            return Array(coordinates[..<axis]) + [resolved[flat]] + Array(coordinates[(axis + indexShape.count)...])
        }]
    }
}

struct ExpandOp: LayoutOperator {
    let types = ["Expand"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow([])
        let shape = try required(node, inputs, 0).shape
        guard let target = try constantIntegers(node, inputs, 1, what: "shape"), let output = Shape.broadcast([shape, target]) else {
            throw node.error("cannot expand \(shape)")
        }
        return [IndexMap(shape: output, sources: Shape.broadcastIndices(from: shape, to: output))]
    }
}

struct TileOp: LayoutOperator {
    let types = ["Tile"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow([])
        let shape = try required(node, inputs, 0).shape
        guard let repeats = try constantIntegers(node, inputs, 1, what: "repeats"), repeats.count == shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
            throw node.error("repeats must hold one non-negative entry per axis of \(shape)")
        }
        let output = zip(shape, repeats).map { $0 * $1 }
        return [LayoutOps.map(shape, to: output) { coordinates in zip(coordinates, shape).map { $0 % $1 } }]
    }
}

/// Pad in constant, reflect and edge modes (and wrap); the pad value is a constant.
struct PadOp: LayoutOperator {
    let types = ["Pad"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["mode"])
        let shape = try required(node, inputs, 0).shape
        let rank = shape.count
        guard let pads = try constantIntegers(node, inputs, 1, what: "pads") else { throw node.error("pads are missing") }
        var value = 0.0
        if let operand = inputs.count > 2 ? inputs[2] : nil {
            guard let constant = operand.constant else { throw node.error("the pad value must be a compile-time constant") }
            value = constant.doubles.first ?? 0
        }
        let axes = try normalizeAxes(node, try constantIntegers(node, inputs, 3, what: "axes") ?? Array(0..<rank), rank: rank)
        guard pads.count == 2 * axes.count else { throw node.error("pads \(pads) need \(2 * axes.count) entries") }
        var begin = [Int](repeating: 0, count: rank)
        var end = [Int](repeating: 0, count: rank)
        for (index, axis) in axes.enumerated() {
            begin[axis] = pads[index]
            end[axis] = pads[index + axes.count]
        }
        let output = (0..<rank).map { shape[$0] + begin[$0] + end[$0] }
        guard output.allSatisfy({ $0 >= 0 }) else { throw node.error("pads \(pads) remove more than \(shape)") }
        let mode = try node.string("mode", default: "constant")
        guard ["constant", "reflect", "edge", "wrap"].contains(mode) else { throw node.unsupported("mode", "constant, reflect, edge or wrap") }
        for axis in 0..<rank where mode == "reflect" && (begin[axis] >= shape[axis] || end[axis] >= shape[axis]) && (begin[axis] > 0 || end[axis] > 0) {
            throw node.error("reflect padding of \(max(begin[axis], end[axis])) needs an axis longer than \(shape[axis])")
        }
        var map = LayoutOps.map(shape, to: output) { coordinates in
            var source: [Int] = []
            for axis in 0..<rank {
                var c = coordinates[axis] - begin[axis]
                let size = shape[axis]
                if c < 0 || c >= size {
                    switch mode {
                    case "constant": return nil
                    case "edge": c = min(max(c, 0), size - 1)
                    case "wrap": c = ((c % size) + size) % size
                    default:
                        let period = 2 * (size - 1)
                        c = period == 0 ? 0 : ((c % period) + period) % period
                        if c >= size { c = period - c }
                    }
                }
                source.append(c)
            }
            return source
        }
        map.padValue = value
        return [map]
    }
}

struct DepthToSpaceOp: LayoutOperator {
    let types = ["DepthToSpace"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["blocksize", "mode"])
        let shape = try required(node, inputs, 0).shape
        let block = try node.int("blocksize", default: 0)
        let mode = try node.string("mode", default: "DCR")
        guard shape.count == 4, block >= 1, shape[1] % (block * block) == 0 else { throw node.error("needs [N, C, H, W] with C divisible by blocksize², got \(shape)") }
        let channels = shape[1] / (block * block)
        let output = [shape[0], channels, shape[2] * block, shape[3] * block]
        return [LayoutOps.map(shape, to: output) { c in
            let (by, bx) = (c[2] % block, c[3] % block)
            let channel = mode == "CRD" ? (c[1] * block + by) * block + bx : (by * block + bx) * channels + c[1]
            return [c[0], channel, c[2] / block, c[3] / block]
        }]
    }
}

struct SpaceToDepthOp: LayoutOperator {
    let types = ["SpaceToDepth"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["blocksize"])
        let shape = try required(node, inputs, 0).shape
        let block = try node.int("blocksize", default: 0)
        guard shape.count == 4, block >= 1, shape[2] % block == 0, shape[3] % block == 0 else { throw node.error("needs [N, C, H, W] with H and W divisible by blocksize, got \(shape)") }
        let output = [shape[0], shape[1] * block * block, shape[2] / block, shape[3] / block]
        return [LayoutOps.map(shape, to: output) { c in
            let channel = c[1] % shape[1]
            let offset = c[1] / shape[1]
            return [c[0], channel, c[2] * block + offset / block, c[3] * block + offset % block]
        }]
    }
}

/// Resize (and Upsample, normalized to it on import) in nearest mode.
struct ResizeOp: LayoutOperator {
    let types = ["Resize"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value",
                        "antialias", "axes", "keep_aspect_ratio_policy"])
        let shape = try required(node, inputs, 0).shape
        guard try node.string("mode", default: "nearest") == "nearest" else {
            throw node.unsupported("mode", "only nearest (linear and cubic interpolation are not supported)")
        }
        let transform = try node.string("coordinate_transformation_mode", default: "half_pixel")
        let rounding = try node.string("nearest_mode", default: "round_prefer_floor")
        var scales = (inputs.count > 2 ? inputs[2]?.constant?.doubles : nil) ?? []
        var output = shape
        if let sizes = try constantIntegers(node, inputs, 3, what: "sizes"), !sizes.isEmpty {
            guard sizes.count == shape.count else { throw node.error("sizes \(sizes) need one entry per axis of \(shape)") }
            output = sizes
            scales = zip(sizes, shape).map { Double($0) / Double($1) }
        } else {
            guard scales.count == shape.count else { throw node.error("scales \(scales) need one entry per axis of \(shape)") }
            output = zip(shape, scales).map { Int(constant: (Double($0) * $1).rounded(.down)) }
            guard output.allSatisfy({ $0 >= 1 && $0 <= 1 << 24 }) else { throw node.error("scales \(scales) give the output shape \(output)") }
        }
        let inputShape = shape
        func source(_ x: Int, _ axis: Int) -> Int {
            let scale = scales[axis]
            let size = inputShape[axis]
            let original: Double
            switch transform {
            case "asymmetric": original = Double(x) / scale
            case "align_corners": original = output[axis] == 1 ? 0 : Double(x) * Double(size - 1) / Double(output[axis] - 1)
            case "tf_half_pixel_for_nn": original = (Double(x) + 0.5) / scale
            case "pytorch_half_pixel": original = output[axis] > 1 ? (Double(x) + 0.5) / scale - 0.5 : 0
            default: original = (Double(x) + 0.5) / scale - 0.5
            }
            var index: Int
            switch rounding {
            case "floor": index = Int(constant: original.rounded(.down))
            case "ceil": index = Int(constant: original.rounded(.up))
            case "round_prefer_ceil": index = Int(constant: (original + 0.5).rounded(.down))
            default: index = original == original.rounded(.down) + 0.5 ? Int(constant: original.rounded(.down)) : Int(constant: original.rounded())
            }
            return min(max(index, 0), size - 1)
        }
        return [LayoutOps.map(shape, to: output) { coordinates in coordinates.indices.map { source(coordinates[$0], $0) } }]
    }
}

/// The upper (or lower) triangle of the last two axes from diagonal k, zeros elsewhere: the causal masks exporters
/// build (and, on activations, a free masking).
struct TriluOp: LayoutOperator {
    let types = ["Trilu"]

    func layout(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [IndexMap] {
        try node.allow(["upper"])
        let shape = try required(node, inputs, 0).shape
        guard shape.count >= 2 else { throw node.error("needs at least 2 axes, got \(shape)") }
        let k = try constantIntegers(node, inputs, 1, what: "k")?.first ?? 0
        let upper = try node.int("upper", default: 1) != 0
        return [LayoutOps.map(shape, to: shape) { coordinates in
            let offset = coordinates[shape.count - 1] - coordinates[shape.count - 2]
            return (upper ? offset >= k : offset <= k) ? coordinates : nil
        }]
    }
}
