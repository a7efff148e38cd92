import Algebra
import ConstraintSystem
import Foundation
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// Softmax, LogSoftmax, ReduceLogSumExp and the normalizations end to end: circuit equals interpreter, within the
/// bounds, no free wires (all in `checkModel`), and forged outputs rejected.
@Suite struct SoftmaxNormalizationTests {
    @Test func softmaxFamiliesOnAnyAxis() throws {
        for axis in [-1, 0, 1] {
            let (_, model, _) = try checkModel(single("Softmax", input: [3, 4, 5], range: -4...4, ["axis": .int(axis)]))
            // Probabilities: the proved integers lie in [0, 2^scale] and the bound is tight enough to be useful.
            #expect(model.tensors[model.outputs[0].tensor].range.upperBound <= 1 << 7)
            #expect(model.outputs[0].errorBound < 0.02)
            try checkModel(single("LogSoftmax", input: [3, 4, 5], range: -4...4, ["axis": .int(axis)]))
        }
        var softmin = GraphBuilder("softmin", inputs: [("x", [2, 6])], range: -3...3)
        softmin.output(softmin.node("Softmax", [softmin.node("Neg", ["x"])]))
        try checkModel(softmin.graph)
        try checkModel(single("ReduceLogSumExp", input: [2, 3, 4], range: -5...5, ["axes": .ints([1]), "keepdims": .int(0)]))
    }

    @Test func softmaxProbabilitiesSumToOneWithinTheirRounding() throws {
        let (_, model, lowered) = try checkModel(single("Softmax", input: [4, 16], range: -6...6), samples: 2)
        let probabilities = model.decode(model.outputs[0], lowered.outputs[0])
        for row in 0..<4 {
            let sum = probabilities[(row * 16)..<(row * 16 + 16)].reduce(0, +)
            #expect(abs(sum - 1) <= 16 * 0.5 / 128 + 1e-9)
        }
    }

    /// Every public output of a softmax changed by one unit (the prover claiming other probabilities than its exps
    /// give) leaves the system unsatisfied.
    @Test func forgedSoftmaxOutputsAreRejected() throws {
        let (_, model, lowered) = try checkModel(single("Softmax", input: [1, 6], range: -3...3), samples: 1, audit: false)
        for index in 0..<model.outputCount {
            var witness = lowered.witness
            witness[1 + index] += .one
            #expect(!lowered.r1cs.isSatisfied(by: witness))
        }
    }

    @Test func normalizationsProveAndStayWithinTheirBounds() throws {
        var random = SplitMix64(seed: 3)
        var layer = GraphBuilder("layernorm", inputs: [("x", [2, 3, 8])], range: -2...2)
        let scale = layer.random([8], scale: 1.5, &random)
        let bias = layer.random([8], scale: 0.5, &random)
        layer.output(layer.node("LayerNormalization", ["x", scale, bias], ["axis": .int(-1), "epsilon": .float(1e-5)]))
        let (_, model, _) = try checkModel(layer.graph)
        #expect(model.outputs[0].errorBound.isFinite)

        var rms = GraphBuilder("rms", inputs: [("x", [3, 8])], range: -2...2)
        rms.output(rms.node("RMSNormalization", ["x", rms.random([8], scale: 1, &random)], ["epsilon": .float(1e-6)]))
        try checkModel(rms.graph)

        var instance = GraphBuilder("instance", inputs: [("x", [1, 3, 4, 4])], range: -2...2)
        instance.output(instance.node("InstanceNormalization", ["x", instance.random([3], scale: 1, &random), instance.random([3], scale: 1, &random)]))
        try checkModel(instance.graph)

        var group = GraphBuilder("group", inputs: [("x", [2, 4, 3])], range: -2...2)
        group.output(group.node("GroupNormalization", ["x", group.random([4], scale: 1, &random), group.random([4], scale: 1, &random)], ["num_groups": .int(2)]))
        try checkModel(group.graph)
    }

    @Test func anEpsilonTooSmallForTheScaleIsRefusedByName() throws {
        var random = SplitMix64(seed: 1)
        var rms = GraphBuilder("rms", inputs: [("x", [3, 8])], range: -2...2)
        rms.output(rms.node("RMSNormalization", ["x", rms.random([8], scale: 1, &random)], ["epsilon": .float(0)], name: "norm"))
        #expect { try checkModel(rms.graph) } throws: { "\($0)".contains("norm") && "\($0)".contains("epsilon") }
    }

    /// A causal mask of −∞ (masked_fill, or an Add of a constant mask) before the softmax: the masked probabilities
    /// are the constant 0 and cost nothing; the rest prove as a softmax over the kept elements.
    @Test func aConstantCausalMaskFoldsIntoTheSoftmax() throws {
        let size = 4
        let keep = (0..<(size * size)).map { $0 % size <= $0 / size ? 1 : 0 }
        var masked = GraphBuilder("masked", inputs: [("scores", [1, size, size])], range: -3...3)
        let condition = masked.integers(keep)
        masked.graph.constants[condition] = .integer(Tensor(shape: [1, size, size], elements: keep), .bool)
        let filled = masked.node("Where", [condition, "scores", masked.constant(Tensor(shape: [], elements: [-Double.infinity]))])
        masked.output(masked.node("Softmax", [filled], ["axis": .int(-1)]))
        let (_, model, lowered) = try checkModel(masked.graph)
        let probabilities = model.decode(model.outputs[0], lowered.outputs[0])
        for (index, kept) in keep.enumerated() where kept == 0 { #expect(probabilities[index] == 0) }
        #expect(abs(probabilities[0] - 1) < 1e-9)

        var added = GraphBuilder("added", inputs: [("scores", [2, size])], range: -3...3)
        let mask = added.constant(Tensor(shape: [1, size], elements: [0, -1e9, 0, -Double.infinity]))
        added.output(added.node("Softmax", [added.node("Add", ["scores", mask])]))
        try checkModel(added.graph)
    }

    /// TorchScript's nn.GELU, x·0.5·(1 + erf(x/√2)), becomes one Gelu table (in either order of the halving).
    @Test func theErfGeluPatternIsFused() throws {
        for halfFirst in [false, true] {
            var b = GraphBuilder("gelu", inputs: [("x", [2, 8])], range: -4...4)
            let scaled = b.node("Div", ["x", b.constant(Tensor(shape: [], elements: [Double(2).squareRoot()]))])
            let sum = b.node("Add", [b.node("Erf", [scaled]), b.constant(Tensor(shape: [], elements: [1]))])
            let half = b.constant(Tensor(shape: [], elements: [0.5]))
            let output = halfFirst ? b.node("Mul", [b.node("Mul", ["x", half]), sum]) : b.node("Mul", [b.node("Mul", ["x", sum]), half])
            b.output(output)
            let (prepared, model, _) = try checkModel(b.graph)
            #expect(prepared.graph.nodes.map(\.type) == ["Gelu"])
            #expect(model.outputs[0].errorBound < 0.02)
        }
    }

    /// The tanh form, x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as TorchScript writes it (x·(x·x)) and as GPT-2's
    /// code does (Pow(x, 3), the half first), becomes one tanh-form Gelu table; a wrong κ is left alone.
    @Test func theTanhGeluPatternIsFused() throws {
        for (powForm, kappa) in [(false, 0.044715), (true, 0.044715), (true, 0.05)] {
            var b = GraphBuilder("gelu", inputs: [("x", [2, 8])], range: -4...4)
            func scalar(_ value: Double) -> String { b.constant(Tensor(shape: [], elements: [value])) }
            let cube = powForm ? b.node("Pow", ["x", scalar(3)]) : b.node("Mul", ["x", b.node("Mul", ["x", "x"])])
            let inner = b.node("Mul", [scalar((2 / Double.pi).squareRoot()), b.node("Add", ["x", b.node("Mul", [scalar(kappa), cube])])])
            let sum = b.node("Add", [scalar(1), b.node("Tanh", [inner])])
            let output = powForm ? b.node("Mul", [b.node("Mul", [scalar(0.5), "x"]), sum]) : b.node("Mul", [scalar(0.5), b.node("Mul", ["x", sum])])
            b.output(output)
            let (prepared, model, _) = try checkModel(b.graph)
            if kappa == 0.05 {
                #expect(prepared.graph.nodes.contains { $0.type == "Tanh" })
                continue
            }
            #expect(prepared.graph.nodes.map(\.type) == ["Gelu"])
            #expect(prepared.graph.nodes.first?.attributes["approximate"] == .string("tanh"))
            #expect(model.outputs[0].errorBound < 0.02)
        }
    }

    @Test func lpNormalizationAlongAnyAxis() throws {
        for p in [1, 2] {
            for axis in [-1, 0] {
                let (_, model, _) = try checkModel(single("LpNormalization", input: [3, 6], range: -2...2, ["axis": .int(axis), "p": .int(p)]))
                // Unit-norm outputs: the proven range stays near 1, whatever the input.
                let range = model.tensors[model.outputs[0].tensor].range
                #expect(Double(max(-range.lowerBound, range.upperBound)) / 128 <= 1.05)
            }
        }
        #expect { try checkModel(single("LpNormalization", input: [4], range: -1...1, ["p": .int(3)])) } throws: { "\($0)".contains("p") }
    }

    @Test func normReductions() throws {
        for type in ["ReduceL1", "ReduceL2"] {
            try checkModel(single(type, input: [2, 3, 4], range: -2...2, ["axes": .ints([1]), "keepdims": .int(1)]))
            try checkModel(single(type, input: [5], range: -1...1))
        }
    }
}
