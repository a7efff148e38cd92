import ModelIR

/// Element-wise arithmetic with numpy broadcasting. By constants it is free (folded into the next rescale); between two
/// activations, Add and Sub align scales and Mul costs one product per element.
enum ElementwiseOps {
    static let all: [any Operator] = [BinaryArithmeticOp(), NegOp(), VariadicOp(), BatchNormalizationOp()]

    static func broadcast<T>(_ node: Node, _ tensors: [Tensor<T>], _ combine: (T, T) -> T) throws(ModelError) -> Tensor<T> {
        guard let shape = Shape.broadcast(tensors.map(\.shape)) else {
            throw node.error("shapes \(tensors.map(\.shape)) do not broadcast")
        }
        var result = tensors[0].elements
        let first = Shape.broadcastIndices(from: tensors[0].shape, to: shape)
        result = first.map { result[$0] }
        for tensor in tensors.dropFirst() {
            let indices = Shape.broadcastIndices(from: tensor.shape, to: shape)
            for position in result.indices { result[position] = combine(result[position], tensor.elements[indices[position]]) }
        }
        return Tensor(shape: shape, elements: result)
    }
}

struct BinaryArithmeticOp: PolynomialOperator {
    let types = ["Add", "Sub", "Mul", "Div"]

    /// Division by an activation is the exact division step; by a constant it stays a multiplication.
    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        if node.type == "Div", inputs.count > 1, let divisor = inputs[1] {
            if case .constant = divisor {} else {
                guard !node.has("broadcast") else { throw node.error("legacy broadcast of an activation divisor is not supported") }
                return [.tensor(try quantizer.divide(try required(node, inputs, 0), by: divisor))]
            }
        }
        return try quantizer.polynomial(self, node, inputs)
    }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["broadcast", "axis"])
        let a = try required(node, inputs, 0)
        var b = try required(node, inputs, 1)
        // Opset 6 and older: with broadcast = 1, B's axes line up with A's from `axis` on (numpy aligns the last axes).
        if try node.int("broadcast", default: 0) == 1, node.has("axis") {
            let axis = try node.int("axis", default: 0)
            let start = axis < 0 ? axis + a.rank : axis
            guard start >= 0, start + b.rank <= a.rank else { throw node.error("cannot broadcast \(b.shape) into \(a.shape) at axis \(axis)") }
            b = b.reshaped(b.shape + Array(repeating: 1, count: a.rank - start - b.rank))
        }
        switch node.type {
        case "Add": return [try ElementwiseOps.broadcast(node, [a, b], +)]
        case "Sub": return [try ElementwiseOps.broadcast(node, [a, b], -)]
        case "Mul": return [try ElementwiseOps.broadcast(node, [a, b], *)]
        default: return [try ElementwiseOps.broadcast(node, [a, b]) { $0.divided(by: $1) }]
        }
    }
}

struct NegOp: PolynomialOperator {
    let types = ["Neg"]

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow([])
        return [try required(node, inputs, 0).map { -$0 }]
    }
}

/// Sum and Mean of any number of tensors.
struct VariadicOp: PolynomialOperator {
    let types = ["Sum", "Mean"]

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow([])
        let tensors = inputs.compactMap { $0 }
        guard !tensors.isEmpty else { throw node.error("needs at least one input") }
        let sum = try ElementwiseOps.broadcast(node, tensors, +)
        return [node.type == "Mean" ? sum.map { $0.scaled(by: 1 / Double(tensors.count)) } : sum]
    }
}

/// Inference-mode batch normalisation: a per-channel affine x·f + g (channels on axis 1). The declutter pass folds it
/// into the Conv or Gemm before it, or rewrites it as Mul and Add.
struct BatchNormalizationOp: PolynomialOperator {
    let types = ["BatchNormalization"]

    func parameterInputs(_ node: Node) -> [Int] { [] }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["epsilon", "momentum", "training_mode", "spatial"])
        guard try node.int("training_mode", default: 0) == 0 else { throw node.error("training_mode = 1 is not supported (inference only)") }
        guard try node.int("spatial", default: 1) == 1 else { throw node.unsupported("spatial", "only 1") }
        let x = try required(node, inputs, 0)
        var parameters: [[Double]] = []
        for position in 1...4 {
            guard let values = try constantIntegersOrReals(node, inputs, position) else { throw node.error("input \(position) is missing") }
            parameters.append(values)
        }
        guard x.rank >= 2 else { throw node.error("needs an input of rank 2 or more, got \(x.shape)") }
        let channels = x.shape[1]
        guard parameters.allSatisfy({ $0.count == channels }) else { throw node.error("scale, bias, mean and variance need \(channels) values") }
        let epsilon = try node.float("epsilon", default: 1e-5)
        guard parameters[3].allSatisfy({ $0 + epsilon > 0 }) else { throw node.error("variance + epsilon must be positive") }
        let inner = Shape.count(Array(x.shape[2...]))
        var result = x
        for index in result.elements.indices {
            let c = (index / inner) % channels
            let factor = parameters[0][c] / (parameters[3][c] + epsilon).squareRoot()
            result.elements[index] = result.elements[index].scaled(by: factor) + T(constant: parameters[1][c] - parameters[2][c] * factor)
        }
        return [result]
    }

    private func constantIntegersOrReals<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?], _ position: Int) throws(ModelError) -> [Double]? {
        guard position < inputs.count, let tensor = inputs[position] else { return nil }
        var values: [Double] = []
        for element in tensor.elements {
            guard let value = element.constantValue else { throw node.error("input \(position) must be a constant") }
            values.append(value)
        }
        return values
    }
}
