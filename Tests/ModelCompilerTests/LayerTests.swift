import Algebra
import ConstraintSystem
import Foundation
import Gadgets
import ModelCompiler
import Testing
import TestSupport

/// One test per operation: circuit = interpreter, satisfied, float within the stated bound, no free wires.
@Suite struct LayerTests {
    @Test func dense() throws {
        var random = SplitMix64(seed: 10)
        let w = randomTensor([5, 12], scale: 0.6, &random)
        let b = randomTensor([5], scale: 0.2, &random)
        try checkModel(model("dense", input: [12], [node("fc", .dense(weight: w, bias: b), ["x"], "y")]))
        let (quantized, _) = try checkModel(model("dense-relu", input: [12], [
            node("fc", .dense(weight: w, bias: nil), ["x"], "h"), node("relu", .relu, ["h"], "y")]))
        #expect(quantized.layers.count == 1 && quantized.layers[0].operations == "dense+relu")
    }

    @Test func conv2d() throws {
        var random = SplitMix64(seed: 11)
        let w = randomTensor([3, 2, 3, 3], scale: 0.5, &random)
        let b = randomTensor([3], scale: 0.1, &random)
        try checkModel(model("conv", input: [2, 7, 7], [
            node("conv", .conv2d(weight: w, bias: b, geometry: WindowGeometry(kernel: [3, 3], strides: [2, 1], pads: [1, 0, 1, 2])), ["x"], "y")]))
    }

    @Test func batchNormFoldsIntoConvAndStandsAlone() throws {
        var random = SplitMix64(seed: 12)
        let w = randomTensor([2, 1, 3, 3], scale: 0.5, &random)
        let norm = NodeOperation.batchNorm(scale: [1.5, 0.7], bias: [0.1, -0.2], mean: [0.05, -0.1], variance: [0.3, 1.2], epsilon: 1e-5)
        let (quantized, _) = try checkModel(model("conv-bn-relu", input: [1, 5, 5], [
            node("conv", .conv2d(weight: w, bias: nil, geometry: WindowGeometry(kernel: [3, 3])), ["x"], "c"),
            node("bn", norm, ["c"], "n"), node("relu", .relu, ["n"], "y")]))
        #expect(quantized.layers.map(\.operations) == ["conv2d+batchnorm+relu"])
        try checkModel(model("bn", input: [2, 3, 3], [node("bn", norm, ["x"], "y")]))
    }

    @Test func standaloneReLU() throws {
        var random = SplitMix64(seed: 13)
        let w = randomTensor([4, 6], scale: 0.8, &random)
        // The dense output feeds two nodes, so its ReLU is not fused and lowers on its own.
        try checkModel(model("relu", input: [6], [
            node("fc", .dense(weight: w, bias: nil), ["x"], "h"), node("relu", .relu, ["h"], "r"), node("sum", .add, ["h", "r"], "y")]))
    }

    @Test func pools() throws {
        try checkModel(model("maxpool", input: [2, 5, 5], [node("pool", .maxPool(WindowGeometry(kernel: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1])), ["x"], "y")]))
        try checkModel(model("avgpool", input: [2, 5, 5], [node("pool", .averagePool(WindowGeometry(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]), countIncludePad: false), ["x"], "y")]))
        try checkModel(model("avgpool-pad", input: [1, 4, 4], [node("pool", .averagePool(WindowGeometry(kernel: [3, 3], pads: [1, 1, 1, 1]), countIncludePad: true), ["x"], "y")]))
        try checkModel(model("gap", input: [3, 3, 5], [node("pool", .globalAveragePool, ["x"], "y")]))
    }

    @Test func reshapeAndFlatten() throws {
        var random = SplitMix64(seed: 14)
        let w = randomTensor([3, 12], scale: 0.5, &random)
        try checkModel(model("reshape", input: [3, 2, 2], [
            node("flat", .flatten, ["x"], "f"), node("shape", .reshape([2, -1]), ["f"], "r"), node("back", .reshape([12]), ["r"], "g"),
            node("fc", .dense(weight: w, bias: nil), ["g"], "y")]))
    }

    @Test func residualAdd() throws {
        var random = SplitMix64(seed: 15)
        let w = randomTensor([6, 6], scale: 0.4, &random)
        try checkModel(model("add", input: [6], [node("fc", .dense(weight: w, bias: nil), ["x"], "h"), node("add", .add, ["x", "h"], "y")]))
    }

    @Test func sigmoidAndTanhStayWithinTheirStatedError() throws {
        for scale in [4, 7, 10] {
            let settings = CompilerSettings(activationScale: scale)
            for operation in [NodeOperation.sigmoid, .tanh] {
                let (quantized, _) = try checkModel(model("act", input: [16], range: -10...10, [node("f", operation, ["x"], "y")]), settings: settings)
                let layer = quantized.layers[0]
                guard case let .activation(function, table, _, _) = layer.kind else { Issue.record("not an activation"); continue }
                // Exhaustively over every integer input in range: the stated bound holds, and it is tight enough to be useful.
                let unit = Double(1 << scale)
                var worst = 0.0
                for x in quantized.inputRange {
                    worst = max(worst, abs(function(Double(x) / unit) - Double(table.evaluate(x)) / unit))
                }
                #expect(worst <= layer.errorBound)
                let limit = scale >= 7 ? 0.02 : 0.1
                #expect(layer.errorBound < limit, "\(function) at scale \(scale): bound \(layer.errorBound)")
            }
        }
    }

    @Test func argmaxHead() throws {
        var random = SplitMix64(seed: 16)
        let w = randomTensor([5, 8], scale: 0.7, &random)
        let (quantized, lowered) = try checkModel(model("argmax", input: [8], [
            node("fc", .dense(weight: w, bias: nil), ["x"], "h"), node("argmax", .argmax, ["h"], "y")]))
        #expect(quantized.outputIsIndex && lowered.r1cs.publicOutputCount == 1)
    }

    @Test func quantizedInputOutsideTheRangeIsRejected() throws {
        let m = model("id", input: [2], range: 0...1, [node("r", .relu, ["x"], "y")])
        let quantized = try Quantizer.quantize(m)
        #expect(throws: ModelError.self) { try quantized.quantizeInput([0.5, 1.5]) }
        #expect(throws: ModelError.self) { try quantized.quantizeInput([0.5]) }
        #expect(throws: ModelError.self) { try Lowering.lower(quantized, input: [0, 1 << 20], inputVisibility: .private) }
        // The circuit proves the declared range widened to a power-of-two span: [0, 128] needs 8 bits.
        #expect(quantized.inputRange == 0...255)
    }
}
