import ModelIR

/// Average pooling (a constant-weight linear map) and max pooling (the maximum gadget), over any number of spatial axes.
enum PoolingOps {
    static let all: [any Operator] = [AveragePoolOp(), GlobalAveragePoolOp(), MaxPoolOp()]

    /// Per output element (row-major over [N, C, spatial...]), the flat input indices of its window.
    static func windows(_ geometry: WindowGeometry, batch: Int, channels: Int) -> [[Int]] {
        let spatial = geometry.windows()
        let spatialIn = Shape.count(geometry.input)
        var result: [[Int]] = []
        result.reserveCapacity(batch * channels * spatial.count)
        for plane in 0..<(batch * channels) {
            for window in spatial { result.append(window.map { plane * spatialIn + $0.input }) }
        }
        return result
    }

    static func geometry(_ node: Node, _ shape: [Int], global: Bool) throws(ModelError) -> WindowGeometry {
        guard shape.count >= 3 else { throw node.error("needs an input [N, C, spatial...], got \(shape)") }
        let spatial = Array(shape[2...])
        if global { return try WindowGeometry(Node(name: node.name, type: node.type, inputs: [], outputs: []), input: spatial, kernel: spatial) }
        guard let kernel = try node.ints("kernel_shape") else { throw node.error("kernel_shape is required") }
        return try WindowGeometry(node, input: spatial, kernel: kernel, ceilMode: try node.int("ceil_mode", default: 0) == 1)
    }
}

struct AveragePoolOp: PolynomialOperator {
    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        let kernel = (try? node.ints("kernel_shape")).flatMap { $0 }?.reduce(1, *)
        let input = inputs.first??.count ?? 0
        return kernel.map { (outputs.first?.count ?? 0) * $0 } ?? input
    }

    let types = ["AveragePool"]
    var isContraction: Bool { true }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad", "dilations"])
        let x = try required(node, inputs, 0)
        let geometry = try PoolingOps.geometry(node, x.shape, global: false)
        let includePad = try node.int("count_include_pad", default: 0) == 1
        let windows = PoolingOps.windows(geometry, batch: x.shape[0], channels: x.shape[1])
        let padded = geometry.paddedCounts()
        let elements = windows.enumerated().map { index, window -> T in
            var sum = T.zero
            for element in window { sum += x.elements[element] }
            let divisor = includePad ? padded[index % padded.count] : window.count
            return sum.scaled(by: 1 / Double(max(divisor, 1)))
        }
        return [Tensor(shape: Array(x.shape[..<2]) + geometry.output, elements: elements)]
    }
}

struct GlobalAveragePoolOp: PolynomialOperator {
    let types = ["GlobalAveragePool"]
    var isContraction: Bool { true }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow([])
        let x = try required(node, inputs, 0)
        guard x.rank >= 3 else { throw node.error("needs an input [N, C, spatial...], got \(x.shape)") }
        let plane = Shape.count(Array(x.shape[2...]))
        let elements = (0..<(x.shape[0] * x.shape[1])).map { index -> T in
            var sum = T.zero
            for element in (index * plane)..<((index + 1) * plane) { sum += x.elements[element] }
            return sum.scaled(by: 1 / Double(plane))
        }
        return [Tensor(shape: Array(x.shape[..<2]) + Array(repeating: 1, count: x.rank - 2), elements: elements)]
    }
}

/// MaxPool and GlobalMaxPool: padding never wins (it is excluded, as ONNX's −∞ padding).
struct MaxPoolOp: Operator {
    /// Each compared element costs a range check (about 16 constraints), not a free constant multiply.
    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        let kernel = (try? node.ints("kernel_shape")).flatMap { $0 }?.reduce(1, *)
        let input = inputs.first??.count ?? 0
        return 16 * (kernel.map { (outputs.first?.count ?? 0) * $0 } ?? input)
    }

    let types = ["MaxPool", "GlobalMaxPool"]

    func windows(_ node: Node, _ shape: [Int]) throws(ModelError) -> (windows: [[Int]], shape: [Int]) {
        if node.type == "GlobalMaxPool" {
            try node.allow([])
            guard shape.count >= 3 else { throw node.error("needs an input [N, C, spatial...], got \(shape)") }
            let plane = Shape.count(Array(shape[2...]))
            return ((0..<(shape[0] * shape[1])).map { Array(($0 * plane)..<(($0 + 1) * plane)) },
                    Array(shape[..<2]) + Array(repeating: 1, count: shape.count - 2))
        }
        try node.allow(["kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations", "storage_order"])
        guard node.outputs.count < 2 || node.outputs[1].isEmpty else { throw node.error("the Indices output is not supported") }
        let geometry = try PoolingOps.geometry(node, shape, global: false)
        let windows = PoolingOps.windows(geometry, batch: shape[0], channels: shape[1])
        guard windows.allSatisfy({ !$0.isEmpty }) else { throw node.error("a window lies entirely in the padding") }
        return (windows, Array(shape[..<2]) + geometry.output)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let x = try required(node, inputs, 0)
        let (windows, shape) = try windows(node, x.shape)
        if case let .integer(tensor, type) = x {
            return [.integer(Tensor(shape: shape, elements: windows.map { $0.map { tensor.elements[$0] }.max()! }), type)]
        }
        let values = x.doubles.elements
        return [.float(Tensor(shape: shape, elements: windows.map { $0.map { values[$0] }.max()! }))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let id = try quantizer.materialize(try required(node, inputs, 0))
        let (windows, shape) = try windows(node, quantizer.info(id).shape)
        let symbols = windows.map { $0.map { Expression.symbol(tensor: id, element: $0) } }
        return [.tensor(try quantizer.maximum(symbols, shape: shape, negate: false))]
    }
}
