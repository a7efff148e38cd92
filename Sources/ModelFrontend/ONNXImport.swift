import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// Reads an ONNX model (default-domain opsets 6 to 28, and the ai.onnx.ml domain) into the tensor graph.
///
/// Initializers become constants (also when old exporters list them among the graph inputs); the remaining inputs keep
/// their full shape, a symbolic dimension becoming 1 unless `inputShapes` names the input. Every node is normalized to
/// its newest form by `OpsetNormalization`. Ops are not checked here: the compiler's fold pass names any it lacks.
public enum ONNXImporter {
    public static let supportedOpsets = 6...28

    public static func importModel(_ data: Data, name: String = "model", inputShapes: [String: [Int]] = [:]) throws(ModelError) -> Graph {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ModelError("not an ONNX model (protobuf decoding failed: \(error))")
        }
        guard proto.hasGraph else { throw ModelError("not an ONNX model (no graph)") }
        let opsets = proto.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        // onnxmltools' XGBoost exports import only ai.onnx.ml: with no default-domain node, any opset reads them.
        let machineLearningOnly = proto.hasGraph && !proto.graph.node.isEmpty && proto.graph.node.allSatisfy { $0.domain == "ai.onnx.ml" }
        guard let opset = opsets.first.map({ Int($0.version) }) ?? (machineLearningOnly ? supportedOpsets.upperBound : nil) else {
            throw ModelError("the model declares no default-domain opset")
        }
        guard supportedOpsets.contains(opset) else {
            throw ModelError("opset \(opset) is not supported (supported: \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound))")
        }
        let graph = proto.graph
        guard graph.sparseInitializer.isEmpty else { throw ModelError("sparse initializers are not supported") }
        var constants: [String: ConstantTensor] = [:]
        for initializer in graph.initializer {
            constants[initializer.name] = try tensor(initializer, context: "initializer '\(initializer.name)'")
        }
        var inputs: [GraphInput] = []
        for input in graph.input where constants[input.name] == nil {
            guard case .tensorType? = input.type.value else { throw ModelError("input '\(input.name)' is not a tensor") }
            let tensorType = input.type.tensorType
            guard let elementType = ElementType(onnxCode: Int(tensorType.elemType)) else {
                throw ModelError("input '\(input.name)' has element type \(tensorType.elemType), supported: float, double, float16, integers, bool")
            }
            var shape = tensorType.shape.dim.map { dimension -> Int in
                if case let .dimValue(value)? = dimension.value, value > 0 { return Int(value) }
                return 1
            }
            if let given = inputShapes[input.name] {
                guard given.count == shape.count || tensorType.shape.dim.isEmpty, given.allSatisfy({ $0 >= 1 }) else {
                    throw ModelError("--input-shape \(input.name)=\(given.map(String.init).joined(separator: ",")) does not match the model's rank \(shape.count)")
                }
                for (axis, dimension) in tensorType.shape.dim.enumerated() {
                    if case let .dimValue(value)? = dimension.value, value > 0, Int(value) != given[axis] {
                        throw ModelError("--input-shape for '\(input.name)' changes the static dimension \(axis) (\(value))")
                    }
                }
                shape = given
            }
            inputs.append(GraphInput(name: input.name, type: TensorType(elementType, shape)))
        }
        for name in inputShapes.keys where !inputs.contains(where: { $0.name == name }) {
            throw ModelError("--input-shape names '\(name)', which is not a graph input (inputs: \(inputs.map(\.name).joined(separator: ", ")))")
        }
        var nodes: [Node] = []
        var usedNames = Set<String>()
        for (index, onnxNode) in graph.node.enumerated() {
            var nodeName = onnxNode.name.isEmpty ? "\(onnxNode.opType)_\(index)" : onnxNode.name
            if !usedNames.insert(nodeName).inserted {
                nodeName += "_\(index)"
                usedNames.insert(nodeName)
            }
            let isMachineLearning = onnxNode.domain == "ai.onnx.ml"
            guard onnxNode.domain.isEmpty || onnxNode.domain == "ai.onnx" || isMachineLearning else {
                throw ModelError(node: nodeName, "op type '\(onnxNode.opType)' from domain '\(onnxNode.domain)' is not supported")
            }
            var attributes: [String: Attribute] = [:]
            for attribute in onnxNode.attribute {
                attributes[attribute.name] = try self.attribute(attribute, node: nodeName)
            }
            let node = Node(name: nodeName, type: onnxNode.opType, inputs: onnxNode.input, outputs: onnxNode.output, attributes: attributes)
            // ai.onnx.ml ops keep their form (their opset versions differ only in the *_as_tensor spellings).
            nodes += isMachineLearning ? [node] : try OpsetNormalization.normalize(node, opset: opset, constants: &constants)
        }
        return Graph(name: name, inputs: inputs, constants: constants, nodes: nodes, outputs: graph.output.map(\.name), opset: opset)
    }

    static func attribute(_ proto: Onnx_AttributeProto, node: String) throws(ModelError) -> Attribute {
        var type = proto.type
        if type == .undefined {
            type = proto.hasF ? .float : proto.hasI ? .int : proto.hasS ? .string : proto.hasT ? .tensor
                : !proto.floats.isEmpty ? .floats : !proto.ints.isEmpty ? .ints : !proto.strings.isEmpty ? .strings : .ints
        }
        switch type {
        case .float: return .float(Double(proto.f))
        case .int: return .int(Int(proto.i))
        case .string: return .string(String(decoding: proto.s, as: UTF8.self))
        case .floats: return .floats(proto.floats.map(Double.init))
        case .ints: return .ints(proto.ints.map { Int($0) })
        case .strings: return .strings(proto.strings.map { String(decoding: $0, as: UTF8.self) })
        case .tensor: return .tensor(try tensor(proto.t, context: "node '\(node)' attribute '\(proto.name)'"))
        case .graph, .graphs: return .graph
        default: throw ModelError(node: node, "attribute '\(proto.name)' has an unsupported type (\(type))")
        }
    }

    public static func tensor(_ proto: Onnx_TensorProto, context: String) throws(ModelError) -> ConstantTensor {
        let shape = proto.dims.map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ModelError("\(context) has a negative dimension in \(shape)") }
        let (count, overflow) = shape.reduce((1, false)) { partial, size in
            let (product, over) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || over)
        }
        guard !overflow, count <= 1 << 31 else { throw ModelError("\(context) has too many elements (shape \(shape))") }
        guard proto.dataLocation != .external else { throw ModelError("\(context) uses external data, which is not supported") }
        let raw = proto.rawData
        let code = Int(proto.dataType)
        func check(_ found: Int) throws(ModelError) {
            guard found == count else { throw ModelError("\(context) has \(found) values for shape \(shape)") }
        }
        switch code {
        case 1:
            let values = proto.hasRawData ? decodeFloats(raw, as: Float.self).map(Double.init) : proto.floatData.map(Double.init)
            try check(values.count)
            return .float(Tensor(shape: shape, elements: values))
        case 11:
            let values = proto.hasRawData ? decodeFloats(raw, as: Double.self) : proto.doubleData
            try check(values.count)
            return .float(Tensor(shape: shape, elements: values))
        case 10, 16:
            let bits = proto.hasRawData ? decodeIntegers(raw, as: UInt16.self).map { Int($0) } : proto.int32Data.map { Int($0) & 0xFFFF }
            try check(bits.count)
            return .float(Tensor(shape: shape, elements: bits.map { code == 10 ? halfToDouble(UInt16($0)) : Double(Float(bitPattern: UInt32($0) << 16)) }))
        case 7:
            let values = proto.hasRawData ? decodeIntegers(raw, as: Int64.self).map { Int($0) } : proto.int64Data.map { Int($0) }
            try check(values.count)
            return .integer(Tensor(shape: shape, elements: values), .int64)
        case 6, 5, 3, 4, 2, 9:
            let values: [Int]
            if proto.hasRawData {
                switch code {
                case 6: values = decodeIntegers(raw, as: Int32.self).map { Int($0) }
                case 5: values = decodeIntegers(raw, as: Int16.self).map { Int($0) }
                case 4: values = decodeIntegers(raw, as: UInt16.self).map { Int($0) }
                case 3: values = decodeIntegers(raw, as: Int8.self).map { Int($0) }
                default: values = decodeIntegers(raw, as: UInt8.self).map { Int($0) }
                }
            } else {
                values = proto.int32Data.map { Int($0) }
            }
            try check(values.count)
            return .integer(Tensor(shape: shape, elements: values), code == 9 ? .bool : code == 6 ? .int32 : .int64)
        case 12, 13:
            let values = proto.hasRawData
                ? (code == 12 ? decodeIntegers(raw, as: UInt32.self).map { Int($0) } : decodeIntegers(raw, as: UInt64.self).map { Int(clamping: $0) })
                : proto.uint64Data.map { Int(clamping: $0) }
            try check(values.count)
            return .integer(Tensor(shape: shape, elements: values), .int64)
        default:
            throw ModelError("\(context) has data type \(code), supported: float, double, float16, bfloat16, integers, bool")
        }
    }

    private static func halfToDouble(_ bits: UInt16) -> Double {
        let sign = (bits >> 15) == 1 ? -1.0 : 1.0
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Double(bits & 0x3FF)
        if exponent == 0 { return sign * fraction * pow(2, -24) }
        if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
        return sign * (1 + fraction / 1024) * pow(2, Double(exponent - 15))
    }

    private static func decodeIntegers<T: FixedWidthInteger>(_ data: Data, as type: T.Type) -> [T] {
        data.withUnsafeBytes { bytes in
            (0..<bytes.count / MemoryLayout<T>.size).map { T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    private static func decodeFloats<T: BinaryFloatingPoint>(_ data: Data, as type: T.Type) -> [T] {
        data.withUnsafeBytes { bytes in
            (0..<bytes.count / MemoryLayout<T>.size).map { bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
        }
    }
}
