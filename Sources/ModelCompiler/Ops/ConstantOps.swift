import Foundation
import ModelIR

/// Ops that exporters use to compute shapes and constants; the fold pass evaluates them at compile time. On an
/// activation they are refused with the op named (Cast between float and an integer index passes through).
enum ConstantOps {
    static let all: [any Operator] = [ConstantOp(), ConstantOfShapeOp(), ShapeOp(), SizeOp(), RangeOp(), CastOp(), CompileTimeOp()]
}

struct ConstantOp: Operator {
    let types = ["Constant"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        guard let (key, attribute) = node.attributes.first, node.attributes.count == 1 else { throw node.error("needs exactly one value attribute") }
        switch (key, attribute) {
        case let ("value", .tensor(tensor)): return [Operand(tensor)]
        case let ("value_float", .float(value)): return [.float(Tensor(shape: [], elements: [value]))]
        case let ("value_floats", .floats(values)): return [.float(Tensor(shape: [values.count], elements: values))]
        case let ("value_int", .int(value)): return [.integer(Tensor(shape: [], elements: [value]), .int64)]
        case let ("value_ints", .ints(values)): return [.integer(Tensor(shape: [values.count], elements: values), .int64)]
        default: throw node.error("attribute '\(key)' is not supported (value, value_float(s), value_int(s))")
        }
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try folded(node, [])
    }
}

struct ConstantOfShapeOp: Operator {
    let types = ["ConstantOfShape"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["value"])
        guard let shape = try constantIntegers(node, inputs, 0, what: "shape"), shape.allSatisfy({ $0 >= 0 }) else { throw node.error("needs a constant shape") }
        guard Shape.count(shape) <= 1 << 24 else { throw node.error("shape \(shape) is too large") }
        if case let .tensor(value)? = node.attributes["value"] {
            switch value {
            case let .float(tensor): return [.float(Tensor(shape: shape, repeating: tensor.elements.first ?? 0))]
            case let .integer(tensor, type): return [.integer(Tensor(shape: shape, repeating: tensor.elements.first ?? 0), type)]
            }
        }
        return [.float(Tensor(shape: shape, repeating: 0))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try folded(node, inputs.map { $0.map { quantizer.operand($0) } })
    }
}

struct ShapeOp: Operator {
    let types = ["Shape"]
    var dependsOnlyOnTypes: Bool { true }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["start", "end"])
        let shape = try required(node, inputs, 0).shape
        let rank = shape.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let start = clamp(try node.int("start", default: 0))
        let end = clamp(try node.int("end", default: rank))
        let slice = start < end ? Array(shape[start..<end]) : []
        return [.integer(Tensor(shape: [slice.count], elements: slice), .int64)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try folded(node, inputs.map { $0.map { quantizer.operand($0) } })
    }
}

struct SizeOp: Operator {
    let types = ["Size"]
    var dependsOnlyOnTypes: Bool { true }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        return [.integer(Tensor(shape: [], elements: [try required(node, inputs, 0).count]), .int64)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try folded(node, inputs.map { $0.map { quantizer.operand($0) } })
    }
}

struct RangeOp: Operator {
    let types = ["Range"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let operands = try [0, 1, 2].map { index throws(ModelError) in try required(node, inputs, index) }
        let values = operands.map { $0.doubles.elements.first ?? 0 }
        guard values[2] != 0 else { throw node.error("delta is 0") }
        let count = max(0, Int(constant: ((values[1] - values[0]) / values[2]).rounded(.up)))
        guard count <= 1 << 24 else { throw node.error("the range is too long") }
        if operands.allSatisfy({ $0.elementType.isInteger }) {
            return [.integer(Tensor(shape: [count], elements: (0..<count).map { Int(constant: values[0]) + $0 * Int(constant: values[2]) }), operands[0].elementType)]
        }
        return [.float(Tensor(shape: [count], elements: (0..<count).map { values[0] + Double($0) * values[2] }))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        throw node.error("Range needs compile-time inputs")
    }
}

/// Cast and CastLike. On activations: to float, between integers and from bool pass through; to bool is a proven x ≠ 0.
struct CastOp: Operator {
    let types = ["Cast", "CastLike"]

    func target(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> ElementType {
        if node.type == "CastLike" {
            try node.allow(["saturate"])
            return try required(node, inputs, 1).elementType
        }
        try node.allow(["to", "saturate", "round_mode"])
        guard let type = ElementType(onnxCode: try node.int("to", default: 1)) else { throw node.unsupported("to", "a numeric or bool type") }
        return type
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0)
        let type = try target(node, inputs)
        switch type {
        case .float: return [.float(x.doubles)]
        case .bool: return [.integer(x.doubles.map { $0 != 0 ? 1 : 0 }, .bool)]
        case .int32, .int64: return [.integer(x.integers, type)]
        }
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let x = try required(node, inputs, 0)
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        let type = try target(node, operands)
        if case .constant = x { return try folded(node, operands) }
        let source: ElementType = if case let .tensor(id) = x { quantizer.info(id).elementType } else { .float }
        if type == .bool {
            // x ≠ 0, proven: a float or integer activation becomes a boolean.
            let id = try quantizer.materialize(x)
            if quantizer.isBoolean(id) { return [.tensor(id)] }
            return [.tensor(quantizer.compare(id, test: .zero, complement: true, flipMargin: quantizer.info(id).errorBound))]
        }
        if case let .tensor(id) = x, type.isInteger, quantizer.isBoolean(id) { return [x] }
        if case let .pending(expressions) = x, type.isInteger, quantizer.isIntegerValued(expressions) {
            // Rewired indices (an ArrayFeatureExtractor's label reshaped): integers already.
            let id = try quantizer.materialize(x, targetScale: 0, exact: true)
            quantizer.markIndex(id)
            return [.tensor(id)]
        }
        guard type == .float || (source.isInteger && type.isInteger) else {
            throw node.error("a cast of an activation from \(source) to \(type) is not supported (it would truncate a fixed-point value)")
        }
        return [x]
    }
}

/// Products and float-class tests on compile-time values (shape arithmetic, constant preprocessing).
struct CompileTimeOp: Operator {
    let types = ["ReduceProd", "IsNaN", "IsInf"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["axes", "keepdims", "noop_with_empty_axes"])
        let operands = inputs.compactMap { $0 }
        guard let first = operands.first else { throw node.error("needs an input") }
        let values = operands.map(\.doubles)
        switch node.type {
        case "IsNaN": return [.integer(values[0].map { $0.isNaN ? 1 : 0 }, .bool)]
        case "IsInf": return [.integer(values[0].map { $0.isInfinite ? 1 : 0 }, .bool)]
        default:
            let plan = try ReductionOps.plan(node, shape: first.shape, axes: try constantIntegers(node, inputs, 1, what: "axes"))
            let product = plan.groups.map { $0.reduce(1.0) { $0 * values[0].elements[$1] } }
            let tensor = Tensor(shape: plan.shape, elements: product)
            return first.elementType.isInteger ? [.integer(tensor.map(Int.init(constant:)), first.elementType)] : [.float(tensor)]
        }
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let operands = inputs.map { $0.map { quantizer.operand($0) } }
        if operands.allSatisfy({ $0 == nil || $0!.constant != nil }) {
            return try folded(node, operands.map { $0?.constant.map(Operand.init) })
        }
        throw node.error("\(node.type) on an activation is not supported (fixed-point values are never NaN or infinite; ReduceProd of activations is not implemented)")
    }
}
