import Foundation
import ModelCompiler
import ONNXProto
import Testing
import TestSupport

@Suite struct ONNXImportTests {
    let circuits = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Circuits")

    @Test func bundledDigitsModelsImportAndCompileSoundly() throws {
        for (name, operations) in [("digits-mlp", ["dense", "relu", "dense"]), ("digits-cnn", ["conv2d", "relu", "maxpool2d", "flatten", "dense"])] {
            let data = try Data(contentsOf: circuits.appendingPathComponent("\(name)/model.onnx"))
            let (model, notes) = try ONNXImporter.importModel(data, name: name, inputRange: 0...1)
            #expect(model.nodes.map(\.operation.name) == operations)
            #expect(notes.droppedBatchDimension && notes.opset == 13)
            try checkModel(model, settings: CompilerSettings(activationScale: 8, weightBits: 9), samples: 2)
        }
    }

    /// A one-node graph built with the generated protobuf types.
    func graph(_ node: Onnx_NodeProto, initializers: [Onnx_TensorProto] = [], inputShape: [Int64] = [1, 2, 4, 4], opset: Int64 = 13) -> Data {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opsetId = Onnx_OperatorSetIdProto()
        opsetId.version = opset
        model.opsetImport = [opsetId]
        var input = Onnx_ValueInfoProto()
        input.name = "input"
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = 1
        tensorType.shape.dim = inputShape.map { value in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = value
            return dimension
        }
        input.type.tensorType = tensorType
        var output = Onnx_ValueInfoProto()
        output.name = "output"
        model.graph.input = [input]
        model.graph.output = [output]
        model.graph.node = [node]
        model.graph.initializer = initializers
        return try! model.serializedData()
    }

    func node(_ opType: String, inputs: [String], attributes: [(String, [Int64])] = []) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.name = "n1"
        node.opType = opType
        node.input = inputs
        node.output = ["output"]
        node.attribute = attributes.map { name, values in
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            if values.count == 1 && name == "group" {
                attribute.type = .int
                attribute.i = values[0]
            } else {
                attribute.type = .ints
                attribute.ints = values
            }
            return attribute
        }
        return node
    }

    func weight(_ dims: [Int64]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = "w"
        tensor.dims = dims
        tensor.dataType = 1
        tensor.floatData = Array(repeating: 0.5, count: Int(dims.reduce(1, *)))
        return tensor
    }

    func rejection(_ data: Data) -> String? {
        do {
            _ = try ONNXImporter.importModel(data, inputRange: 0...1)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func unsupportedInputsNameTheNodeOpAndAttribute() {
        #expect(rejection(Data([0x08, 0x07, 0xff, 0xff, 0x01])).map { $0.contains("not an ONNX model") } == true)
        #expect(rejection(graph(node("Softsign", inputs: ["input"])))?.contains("node 'n1': unsupported op type 'Softsign'") == true)
        let grouped = graph(node("Conv", inputs: ["input", "w"], attributes: [("group", [2])]), initializers: [weight([2, 1, 1, 1])])
        #expect(rejection(grouped)?.contains("Conv attribute 'group'") == true)
        let dilated = graph(node("Conv", inputs: ["input", "w"], attributes: [("dilations", [2, 2])]), initializers: [weight([2, 2, 3, 3])])
        #expect(rejection(dilated)?.contains("attribute 'dilations'") == true)
        #expect(rejection(graph(node("Relu", inputs: ["input"]), opset: 9))?.contains("opset 9") == true)
        #expect(rejection(graph(node("Relu", inputs: ["input"]), opset: 19))?.contains("opset 19") == true)
        let accepted = graph(node("Conv", inputs: ["input", "w"], attributes: [("pads", [1, 1, 1, 1])]), initializers: [weight([3, 2, 3, 3])])
        #expect(rejection(accepted) == nil)
    }
}
