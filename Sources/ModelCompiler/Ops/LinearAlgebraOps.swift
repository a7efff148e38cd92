import ModelIR

/// Matrix products: free with a constant operand (only the rescale), one product per term between two activations.
enum LinearAlgebraOps {
    static let all: [any Operator] = [GemmOp(), MatMulOp()]

    /// [..., m, k] × [..., k, n] with numpy's batch broadcasting.
    static func matmul<T: Arithmetic>(_ node: Node, _ a: Tensor<T>, _ b: Tensor<T>) throws(ModelError) -> Tensor<T> {
        var left = a
        var right = b
        if left.rank == 1 { left = left.reshaped([1, left.count]) }
        if right.rank == 1 { right = right.reshaped([right.count, 1]) }
        guard left.rank >= 2, right.rank >= 2 else { throw node.error("cannot multiply shapes \(a.shape) and \(b.shape)") }
        let (m, k) = (left.shape[left.rank - 2], left.shape[left.rank - 1])
        let (k2, n) = (right.shape[right.rank - 2], right.shape[right.rank - 1])
        guard k == k2 else { throw node.error("cannot multiply shapes \(a.shape) and \(b.shape): inner sizes \(k) and \(k2) differ") }
        let leftBatch = Array(left.shape.dropLast(2))
        let rightBatch = Array(right.shape.dropLast(2))
        guard let batch = Shape.broadcast([leftBatch, rightBatch]) else { throw node.error("batch shapes \(leftBatch) and \(rightBatch) do not broadcast") }
        let leftIndex = Shape.broadcastIndices(from: leftBatch, to: batch)
        let rightIndex = Shape.broadcastIndices(from: rightBatch, to: batch)
        var elements: [T] = []
        elements.reserveCapacity(Shape.count(batch) * m * n)
        for position in 0..<Shape.count(batch) {
            let leftBase = leftIndex[position] * m * k
            let rightBase = rightIndex[position] * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var sum = T.zero
                    for p in 0..<k { sum += left.elements[leftBase + i * k + p] * right.elements[rightBase + p * n + j] }
                    elements.append(sum)
                }
            }
        }
        var shape = batch + [m, n]
        if a.rank == 1 { shape.remove(at: shape.count - 2) }
        if b.rank == 1 { shape.removeLast() }
        return Tensor(shape: shape, elements: elements)
    }

    /// Output elements times the inner dimension.
    static func work(_ node: Node, _ inputs: [TensorType?], _ outputs: [TensorType]) -> Int {
        let inner = (try? node.int("transA", default: 0)) == 1 ? inputs.first??.shape.first : inputs.first??.shape.last
        return (outputs.first?.count ?? 0) * (inner ?? 1)
    }

    static func transposed<T>(_ matrix: Tensor<T>) -> Tensor<T> {
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        var elements = matrix.elements
        for r in 0..<rows { for c in 0..<columns { elements[c * rows + r] = matrix.elements[r * columns + c] } }
        return Tensor(shape: [columns, rows], elements: elements)
    }
}

struct GemmOp: PolynomialOperator {
    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int { LinearAlgebraOps.work(node, inputs, outputs) }

    let types = ["Gemm"]
    var isContraction: Bool { true }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["alpha", "beta", "transA", "transB", "broadcast"])
        var a = try required(node, inputs, 0)
        var b = try required(node, inputs, 1)
        guard a.rank == 2, b.rank == 2 else { throw node.error("A and B must be matrices, got \(a.shape) and \(b.shape)") }
        if try node.int("transA", default: 0) != 0 { a = LinearAlgebraOps.transposed(a) }
        if try node.int("transB", default: 0) != 0 { b = LinearAlgebraOps.transposed(b) }
        let alpha = try node.float("alpha", default: 1)
        let beta = try node.float("beta", default: 1)
        var result = try LinearAlgebraOps.matmul(node, a, b)
        if alpha != 1 { result = result.map { $0.scaled(by: alpha) } }
        if let c = inputs.count > 2 ? inputs[2] : nil {
            guard let shape = Shape.broadcast([result.shape, c.shape]), shape == result.shape else {
                throw node.error("C of shape \(c.shape) does not broadcast to \(result.shape)")
            }
            let indices = Shape.broadcastIndices(from: c.shape, to: shape)
            for position in result.elements.indices { result.elements[position] += c.elements[indices[position]].scaled(by: beta) }
        }
        return [result]
    }
}

struct MatMulOp: PolynomialOperator {
    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int { LinearAlgebraOps.work(node, inputs, outputs) }

    let types = ["MatMul"]
    var isContraction: Bool { true }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow([])
        return [try LinearAlgebraOps.matmul(node, try required(node, inputs, 0), try required(node, inputs, 1))]
    }
}
