import Foundation
import ONNXProto
import SwiftProtobuf

/// Reads an ONNX model (opsets 11 to 18) into the model IR.
///
/// The batch dimension (a leading 1 or symbolic dimension) is dropped. Bias-only `Add`s after Gemm, MatMul or Conv
/// fold into the layer's bias; `Identity` and inference-mode `Dropout` are aliases; a final `Softmax` is dropped and
/// the logits are proved (softmax is monotone, so the class is the logits' argmax). Anything else unsupported is an
/// error naming the node, its op type and the attribute.
public enum ONNXImporter {
    public static let supportedOpsets = 11...18

    /// What the importer changed on the way in, for the user to read.
    public struct Notes: Sendable {
        public var droppedBatchDimension = false
        public var droppedFinalSoftmax = false
        public var opset = 0
    }

    public static func importModel(
        _ data: Data, name: String = "model", inputRange: ClosedRange<Double>
    ) throws(ModelError) -> (model: Model, notes: Notes) {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ModelError("not an ONNX model (protobuf decoding failed: \(error))")
        }
        guard proto.hasGraph else { throw ModelError("not an ONNX model (no graph)") }
        var notes = Notes()
        let opsets = proto.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let opset = opsets.first?.version else { throw ModelError("the model declares no default-domain opset") }
        guard supportedOpsets.contains(Int(opset)) else {
            throw ModelError("opset \(opset) is not supported (supported: \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound))")
        }
        notes.opset = Int(opset)
        let graph = proto.graph

        var constants: [String: Tensor] = [:]
        for initializer in graph.initializer {
            constants[initializer.name] = try tensor(initializer, context: "initializer '\(initializer.name)'")
        }
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard inputs.count == 1 else { throw ModelError("the graph needs exactly one non-constant input, it has \(inputs.count)") }
        guard graph.output.count == 1 else { throw ModelError("the graph needs exactly one output, it has \(graph.output.count)") }
        let input = inputs[0]
        var inputShape = input.type.tensorType.shape.dim.map { dimension -> Int in
            if case let .dimValue(value)? = dimension.value { return Int(value) }
            return -1
        }
        guard !inputShape.isEmpty else { throw ModelError("input '\(input.name)' has no shape") }
        if inputShape.count >= 2 && (inputShape[0] == 1 || inputShape[0] == -1) {
            inputShape.removeFirst()
            notes.droppedBatchDimension = true
        }
        guard inputShape.allSatisfy({ $0 >= 1 }) else { throw ModelError("input '\(input.name)' has a symbolic dimension besides the batch: \(inputShape)") }

        var consumers: [String: Int] = [:]
        for node in graph.node { for name in node.input where !name.isEmpty { consumers[name, default: 0] += 1 } }
        var aliases: [String: String] = [:]
        func resolve(_ name: String) -> String { aliases[name] ?? name }
        var nodes: [Node] = []
        var outputName = graph.output[0].name

        for (index, onnxNode) in graph.node.enumerated() {
            let name = onnxNode.name.isEmpty ? "\(onnxNode.opType)_\(index)" : onnxNode.name
            let reader = NodeReader(node: onnxNode, name: name, constants: constants)
            guard onnxNode.domain.isEmpty || onnxNode.domain == "ai.onnx" else {
                throw ModelError(node: name, "op type '\(onnxNode.opType)' from domain '\(onnxNode.domain)' is not supported")
            }
            guard let output = onnxNode.output.first, !output.isEmpty else { throw ModelError(node: name, "has no output") }
            if onnxNode.output.filter({ !$0.isEmpty }).count > 1, !["Dropout"].contains(onnxNode.opType) {
                throw ModelError(node: name, "\(onnxNode.opType) with more than one output is not supported")
            }
            let activation = { (position: Int) throws(ModelError) -> String in
                guard position < onnxNode.input.count, constants[onnxNode.input[position]] == nil else {
                    throw ModelError(node: name, "\(onnxNode.opType) input \(position) must be a tensor computed by the graph")
                }
                return resolve(onnxNode.input[position])
            }
            func append(_ operation: NodeOperation, _ inputs: [String]) {
                nodes.append(Node(name: name, operation: operation, inputs: inputs, output: output))
            }
            switch onnxNode.opType {
            case "Gemm":
                try reader.allow(["alpha", "beta", "transA", "transB"])
                guard try reader.int("transA", default: 0) == 0 else { throw reader.unsupported("transA", "only 0") }
                let alpha = try reader.float("alpha", default: 1)
                let beta = try reader.float("beta", default: 1)
                var weight = try reader.constant(1)
                guard weight.shape.count == 2 else { throw ModelError(node: name, "Gemm B must be a matrix, has shape \(weight.shape)") }
                if try reader.int("transB", default: 0) == 0 { weight = transposed(weight) }
                weight.values = weight.values.map { $0 * alpha }
                var bias: Tensor?
                if onnxNode.input.count > 2, !onnxNode.input[2].isEmpty {
                    let c = try reader.constant(2)
                    guard c.count == weight.shape[0] || c.count == 1 else {
                        throw ModelError(node: name, "Gemm C of shape \(c.shape) does not broadcast to \(weight.shape[0]) outputs")
                    }
                    let values = c.count == 1 ? Array(repeating: c.values[0], count: weight.shape[0]) : c.values
                    bias = Tensor(shape: [weight.shape[0]], values: values.map { $0 * beta })
                }
                append(.dense(weight: weight, bias: bias), [try activation(0)])
            case "MatMul":
                try reader.allow([])
                let weight = try reader.constant(1)
                guard weight.shape.count == 2 else { throw ModelError(node: name, "MatMul needs a constant matrix as its second input") }
                append(.dense(weight: transposed(weight), bias: nil), [try activation(0)])
            case "Add":
                try reader.allow([])
                let constantPosition = onnxNode.input.firstIndex { constants[$0] != nil }
                guard let constantPosition else {
                    append(.add, [try activation(0), try activation(1)])
                    break
                }
                let other = resolve(onnxNode.input[1 - constantPosition])
                let constant = constants[onnxNode.input[constantPosition]]!
                guard let producer = nodes.lastIndex(where: { $0.output == other }), consumers[onnxNode.input[1 - constantPosition]] == 1 else {
                    throw ModelError(node: name, "Add with a constant is supported only as the bias of the Gemm, MatMul or Conv before it")
                }
                nodes[producer].operation = try addingBias(constant, to: nodes[producer].operation, node: name)
                nodes[producer].output = output
            case "Conv":
                try reader.allow(["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"])
                let weight = try reader.constant(1)
                guard weight.shape.count == 4 else { throw ModelError(node: name, "Conv supports 2-D convolutions only (weight shape \(weight.shape))") }
                guard try reader.int("group", default: 1) == 1 else { throw reader.unsupported("group", "only 1") }
                guard try reader.ints("dilations", default: [1, 1]) == [1, 1] else { throw reader.unsupported("dilations", "only [1, 1]") }
                try reader.requireExplicitPadding()
                if let kernel = try reader.optionalInts("kernel_shape"), kernel != Array(weight.shape[2...]) {
                    throw reader.unsupported("kernel_shape", "must match the weight shape \(weight.shape)")
                }
                let bias = onnxNode.input.count > 2 && !onnxNode.input[2].isEmpty ? try reader.constant(2) : nil
                let geometry = WindowGeometry(
                    kernel: Array(weight.shape[2...]), strides: try reader.ints("strides", default: [1, 1]),
                    pads: try reader.ints("pads", default: [0, 0, 0, 0]))
                append(.conv2d(weight: weight, bias: bias.map { Tensor(shape: [$0.count], values: $0.values) }, geometry: geometry), [try activation(0)])
            case "Relu": try reader.allow([]); append(.relu, [try activation(0)])
            case "Sigmoid": try reader.allow([]); append(.sigmoid, [try activation(0)])
            case "Tanh": try reader.allow([]); append(.tanh, [try activation(0)])
            case "MaxPool", "AveragePool":
                let isMax = onnxNode.opType == "MaxPool"
                try reader.allow(Set(["kernel_shape", "strides", "pads", "auto_pad", "ceil_mode"] + (isMax ? ["dilations", "storage_order"] : ["count_include_pad"])))
                guard try reader.int("ceil_mode", default: 0) == 0 else { throw reader.unsupported("ceil_mode", "only 0") }
                if isMax {
                    guard try reader.ints("dilations", default: [1, 1]) == [1, 1] else { throw reader.unsupported("dilations", "only [1, 1]") }
                }
                try reader.requireExplicitPadding()
                let kernel = try reader.ints("kernel_shape", default: [])
                guard kernel.count == 2 else { throw reader.unsupported("kernel_shape", "a 2-D kernel is required") }
                let geometry = WindowGeometry(
                    kernel: kernel, strides: try reader.ints("strides", default: [1, 1]), pads: try reader.ints("pads", default: [0, 0, 0, 0]))
                append(isMax ? .maxPool(geometry) : .averagePool(geometry, countIncludePad: try reader.int("count_include_pad", default: 0) != 0),
                       [try activation(0)])
            case "GlobalAveragePool": try reader.allow([]); append(.globalAveragePool, [try activation(0)])
            case "BatchNormalization":
                try reader.allow(["epsilon", "momentum", "training_mode", "spatial"])
                guard try reader.int("training_mode", default: 0) == 0 else { throw reader.unsupported("training_mode", "only inference (0)") }
                append(.batchNorm(
                    scale: try reader.constant(1).values, bias: try reader.constant(2).values, mean: try reader.constant(3).values,
                    variance: try reader.constant(4).values, epsilon: try reader.float("epsilon", default: 1e-5)), [try activation(0)])
            case "Flatten":
                try reader.allow(["axis"])
                let axis = try reader.int("axis", default: 1)
                guard !notes.droppedBatchDimension || axis == 1 else {
                    throw reader.unsupported("axis", "only 1 (flatten everything after the batch)")
                }
                append(.flatten, [try activation(0)])
            case "Reshape":
                try reader.allow(["allowzero"])
                var target = try reader.constant(1).values.map { Int($0) }
                if notes.droppedBatchDimension {
                    guard let first = target.first, first == 1 || first == -1 || first == 0 else {
                        throw ModelError(node: name, "Reshape to \(target) changes the batch dimension")
                    }
                    target.removeFirst()
                }
                guard !target.contains(0) else { throw ModelError(node: name, "Reshape with 0 (copy) entries after the batch is not supported") }
                append(target.isEmpty ? .flatten : .reshape(target), [try activation(0)])
            case "Identity", "Dropout":
                try reader.allow(onnxNode.opType == "Dropout" ? ["seed", "ratio", "training_mode"] : [])
                aliases[output] = try activation(0)
                if outputName == output { outputName = aliases[output]! }
            case "Softmax":
                try reader.allow(["axis"])
                guard output == graph.output[0].name else {
                    throw ModelError(node: name, "Softmax is supported only as the final node (it is then proved as the logits)")
                }
                outputName = try activation(0)
                notes.droppedFinalSoftmax = true
            case "ArgMax":
                try reader.allow(["axis", "keepdims", "select_last_index"])
                guard try reader.int("select_last_index", default: 0) == 0 else { throw reader.unsupported("select_last_index", "only 0") }
                append(.argmax, [try activation(0)])
            default:
                throw ModelError(node: name, "unsupported op type '\(onnxNode.opType)'")
            }
        }
        let model = Model(name: name, inputName: input.name, inputShape: inputShape, inputRange: inputRange, nodes: nodes, output: resolve(outputName))
        _ = try ShapeInference.shapes(of: model)
        return (model, notes)
    }

    private static func transposed(_ matrix: Tensor) -> Tensor {
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        var values = [Double](repeating: 0, count: matrix.values.count)
        for r in 0..<rows { for c in 0..<columns { values[c * rows + r] = matrix.values[r * columns + c] } }
        return Tensor(shape: [columns, rows], values: values)
    }

    private static func addingBias(_ constant: Tensor, to operation: NodeOperation, node: String) throws(ModelError) -> NodeOperation {
        switch operation {
        case let .dense(weight, bias), let .conv2d(weight, bias, _):
            let outputs = weight.shape[0]
            guard constant.count == outputs || constant.count == 1 else {
                throw ModelError(node: node, "the constant of shape \(constant.shape) is not a bias for \(outputs) outputs")
            }
            let added = (0..<outputs).map { (bias?.values[$0] ?? 0) + constant.values[constant.count == 1 ? 0 : $0] }
            let newBias = Tensor(shape: [outputs], values: added)
            if case let .conv2d(_, _, geometry) = operation { return .conv2d(weight: weight, bias: newBias, geometry: geometry) }
            return .dense(weight: weight, bias: newBias)
        default:
            throw ModelError(node: node, "Add with a constant is supported only as the bias of the Gemm, MatMul or Conv before it")
        }
    }

    static func tensor(_ proto: Onnx_TensorProto, context: String) throws(ModelError) -> Tensor {
        let shape = proto.dims.map { Int($0) }
        let count = shape.reduce(1, *)
        guard proto.dataLocation != .external else { throw ModelError("\(context) uses external data, which is not supported") }
        let values: [Double]
        let raw = proto.rawData
        switch Onnx_TensorProto.DataType(rawValue: Int(proto.dataType)) {
        case .float:
            values = proto.hasRawData ? decode(raw, as: Float.self).map(Double.init) : proto.floatData.map(Double.init)
        case .double:
            values = proto.hasRawData ? decode(raw, as: Double.self) : proto.doubleData
        case .int64:
            values = proto.hasRawData ? decode(raw, as: Int64.self).map(Double.init) : proto.int64Data.map(Double.init)
        case .int32:
            values = proto.hasRawData ? decode(raw, as: Int32.self).map(Double.init) : proto.int32Data.map(Double.init)
        default:
            throw ModelError("\(context) has data type \(proto.dataType), supported: float, double, int32, int64")
        }
        guard values.count == count else { throw ModelError("\(context) has \(values.count) values for shape \(shape)") }
        return Tensor(shape: shape, values: values)
    }

    private static func decode<T: FixedWidthInteger>(_ data: Data, as type: T.Type) -> [T] {
        data.withUnsafeBytes { bytes in
            (0..<bytes.count / MemoryLayout<T>.size).map { T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    private static func decode<T: BinaryFloatingPoint>(_ data: Data, as type: T.Type) -> [T] {
        data.withUnsafeBytes { bytes in
            (0..<bytes.count / MemoryLayout<T>.size).map { bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
        }
    }
}

/// Typed access to one node's attributes and constant inputs, with errors that name them.
private struct NodeReader {
    let node: Onnx_NodeProto
    let name: String
    let constants: [String: Tensor]

    func unsupported(_ attribute: String, _ expectation: String) -> ModelError {
        ModelError(node: name, "\(node.opType) attribute '\(attribute)' is not supported here (\(expectation))")
    }

    func allow(_ names: Set<String>) throws(ModelError) {
        if let extra = node.attribute.first(where: { !names.contains($0.name) }) {
            throw ModelError(node: name, "\(node.opType) attribute '\(extra.name)' is not supported")
        }
    }

    private func attribute(_ key: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == key } }

    func int(_ key: String, default value: Int) throws(ModelError) -> Int {
        guard let attribute = attribute(key) else { return value }
        guard attribute.type == .int else { throw unsupported(key, "expected an integer") }
        return Int(attribute.i)
    }

    func float(_ key: String, default value: Double) throws(ModelError) -> Double {
        guard let attribute = attribute(key) else { return value }
        guard attribute.type == .float else { throw unsupported(key, "expected a float") }
        return Double(attribute.f)
    }

    func optionalInts(_ key: String) throws(ModelError) -> [Int]? {
        guard let attribute = attribute(key) else { return nil }
        guard attribute.type == .ints else { throw unsupported(key, "expected a list of integers") }
        return attribute.ints.map { Int($0) }
    }

    func ints(_ key: String, default value: [Int]) throws(ModelError) -> [Int] { try optionalInts(key) ?? value }

    func requireExplicitPadding() throws(ModelError) {
        guard let attribute = attribute("auto_pad") else { return }
        let mode = String(decoding: attribute.s, as: UTF8.self)
        guard mode == "NOTSET" || mode == "VALID" else { throw unsupported("auto_pad", "only NOTSET or VALID; '\(mode)' given") }
    }

    func constant(_ position: Int) throws(ModelError) -> Tensor {
        guard position < node.input.count, let tensor = constants[node.input[position]] else {
            throw ModelError(node: name, "\(node.opType) input \(position) must be a constant initializer")
        }
        return tensor
    }
}
