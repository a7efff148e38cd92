import Foundation
import ModelCompiler
import ModelFrontend
import ModelIR
import ONNXProto
import Testing
import TestSupport

@Suite struct ONNXImportTests {
    let circuits = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Circuits")

    func prepare(_ graph: Graph, range: ClosedRange<Double> = 0...1) throws -> Graph {
        var graph = graph
        for index in graph.inputs.indices { graph.inputs[index].range = range }
        return graph
    }

    @Test func bundledDigitsModelsImportAndCompileSoundly() throws {
        for (name, operations) in [("digits-mlp", ["Gemm", "Relu", "Gemm"]), ("digits-cnn", ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"])] {
            let data = try Data(contentsOf: circuits.appendingPathComponent("\(name)/model.onnx"))
            let graph = try prepare(ONNXImporter.importModel(data, name: name))
            #expect(graph.nodes.map(\.type) == operations)
            #expect(graph.opset == 13 && graph.inputs[0].type.shape.first == 1)
            try checkModel(graph, settings: CompilerSettings(activationScale: 8, weightBits: 9), samples: 2)
        }
    }

    /// A one-node graph built with the generated protobuf types.
    func model(_ node: Onnx_NodeProto, initializers: [Onnx_TensorProto] = [], inputShape: [Int64?] = [1, 2, 4, 4], opset: Int64 = 13,
               listInitializersAsInputs: Bool = false) -> Data {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opsetId = Onnx_OperatorSetIdProto()
        opsetId.version = opset
        model.opsetImport = [opsetId]
        func valueInfo(_ name: String, _ shape: [Int64?]) -> Onnx_ValueInfoProto {
            var input = Onnx_ValueInfoProto()
            input.name = name
            var tensorType = Onnx_TypeProto.Tensor()
            tensorType.elemType = 1
            tensorType.shape.dim = shape.map { value in
                var dimension = Onnx_TensorShapeProto.Dimension()
                if let value { dimension.dimValue = value } else { dimension.dimParam = "N" }
                return dimension
            }
            input.type.tensorType = tensorType
            return input
        }
        var output = Onnx_ValueInfoProto()
        output.name = "output"
        model.graph.input = [valueInfo("input", inputShape)] + (listInitializersAsInputs ? initializers.map { valueInfo($0.name, $0.dims) } : [])
        model.graph.output = [output]
        model.graph.node = [node]
        model.graph.initializer = initializers
        return try! model.serializedData()
    }

    func node(_ opType: String, inputs: [String], ints: [(String, [Int64])] = [], int: [(String, Int64)] = [], floats: [(String, Float)] = []) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.name = "n1"
        node.opType = opType
        node.input = inputs
        node.output = ["output"]
        for (name, values) in ints {
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            attribute.type = .ints
            attribute.ints = values
            node.attribute.append(attribute)
        }
        for (name, value) in int {
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            attribute.type = .int
            attribute.i = value
            node.attribute.append(attribute)
        }
        for (name, value) in floats {
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            attribute.type = .float
            attribute.f = value
            node.attribute.append(attribute)
        }
        return node
    }

    func weight(_ dims: [Int64], name: String = "w") -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims
        tensor.dataType = 1
        tensor.floatData = (0..<Int(dims.reduce(1, *))).map { Float($0 % 7) / 7 - 0.4 }
        return tensor
    }

    func compiled(_ data: Data) throws -> (PreparedGraph, QuantizedModel) {
        let prepared = try Declutter.run(try FoldConstants.run(try prepare(ONNXImporter.importModel(data))))
        return (prepared, try Quantization.quantize(prepared))
    }

    func rejection(_ data: Data) -> String? {
        do {
            _ = try compiled(data)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func unsupportedInputsNameTheNodeAndOp() {
        #expect(rejection(Data([0x08, 0x07, 0xff, 0xff, 0x01]))?.contains("not an ONNX model") == true)
        #expect(rejection(model(node("Softsign", inputs: ["input"])))?.contains("node 'n1': unsupported op type 'Softsign'") == true)
        #expect(rejection(model(node("Relu", inputs: ["input"]), opset: 5))?.contains("opset 5 is not supported (supported: 6 to 28)") == true)
        #expect(rejection(model(node("Relu", inputs: ["input"]), opset: 29))?.contains("opset 29") == true)
        let grouped = model(node("Conv", inputs: ["input", "w"], int: [("group", 3)]), initializers: [weight([3, 1, 1, 1])])
        #expect(rejection(grouped)?.contains("node 'n1': Conv: weight [3, 1, 1, 1] does not match 2 input channels in 3 groups") == true)
    }

    @Test func everyOpsetFrom6To28Imports() throws {
        for opset: Int64 in [6, 9, 11, 13, 17, 18, 20, 28] {
            let conv = model(node("Conv", inputs: ["input", "w"], ints: [("pads", [1, 1, 1, 1])]), initializers: [weight([3, 2, 3, 3])], opset: opset)
            #expect(rejection(conv) == nil, "opset \(opset)")
        }
    }

    @Test func attributesThatBecameInputsAreNormalized() throws {
        // Slice before opset 10, Pad before 11, Clip before 11, Squeeze/ReduceSum before 13, ReduceMean before 18.
        let slice = node("Slice", inputs: ["input"], ints: [("starts", [1, 0]), ("ends", [3, 100]), ("axes", [2, 3])])
        let (_, sliced) = try compiled(model(slice, opset: 9))
        #expect(sliced.outputs[0].shape == [1, 2, 2, 4])
        let pad = node("Pad", inputs: ["input"], ints: [("pads", [0, 0, 1, 2, 0, 0, 1, 0])], floats: [("value", 0.5)])
        let (_, padded) = try compiled(model(pad, opset: 6))
        #expect(padded.outputs[0].shape == [1, 2, 6, 6])
        let clip = node("Clip", inputs: ["input"], floats: [("min", 0.1), ("max", 0.6)])
        let (_, clipped) = try compiled(model(clip, opset: 6))
        #expect(clipped.tensors[clipped.outputs[0].tensor].range.upperBound <= Int(0.6 * 128) + 1)
        let reduce = node("ReduceMean", inputs: ["input"], ints: [("axes", [2, 3])], int: [("keepdims", 0)])
        let (_, reduced) = try compiled(model(reduce, opset: 17))
        #expect(reduced.outputs[0].shape == [1, 2])
        let squeeze = node("Squeeze", inputs: ["input"], ints: [("axes", [0])])
        let (_, squeezed) = try compiled(model(squeeze, opset: 11))
        #expect(squeezed.outputs[0].shape == [2, 4, 4])
    }

    @Test func symbolicBatchAndInitializersListedAsInputs() throws {
        let gemm = node("Gemm", inputs: ["input", "w"], int: [("transB", 1)])
        let data = model(gemm, initializers: [weight([3, 5])], inputShape: [nil, 5], opset: 9, listInitializersAsInputs: true)
        let graph = try ONNXImporter.importModel(data)
        #expect(graph.inputs.map(\.name) == ["input"])
        #expect(graph.inputs[0].type.shape == [1, 5])
        let wider = try ONNXImporter.importModel(data, inputShapes: ["input": [4, 5]])
        #expect(wider.inputs[0].type.shape == [4, 5])
        #expect(throws: ModelError.self) { try ONNXImporter.importModel(data, inputShapes: ["input": [4, 6]]) }
        #expect(throws: ModelError.self) { try ONNXImporter.importModel(data, inputShapes: ["image": [1, 5]]) }
    }
}
