import Algebra
import ConstraintSystem
import Foundation
import Gadgets
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// One test per op family: circuit = interpreter, satisfied, float within the stated bounds, no free wires.
@Suite struct OpTests {
    @Test func gemmAndMatMulWithConstantsCostOnlyTheirRescale() throws {
        var random = SplitMix64(seed: 10)
        var b = GraphBuilder("gemm", inputs: [("x", [2, 12])])
        let w = b.random([5, 12], scale: 0.6, &random)
        let bias = b.random([5], scale: 0.2, &random)
        b.output(b.node("Gemm", ["x", w, bias], ["transB": .int(1), "alpha": .float(0.7), "beta": .float(1.5)], name: "fc"))
        let (_, model, _) = try checkModel(b.graph)
        guard case let .affine(step) = model.steps[0].kind else { Issue.record("not affine"); return }
        #expect(try stepCosts(model)["fc"] == 10 * (step.shift + step.quotientBits + 2))

        var m = GraphBuilder("matmul", inputs: [("x", [2, 3, 4])])
        let w3 = m.random([4, 6], scale: 0.5, &random)
        m.output(m.node("MatMul", ["x", w3]))
        try checkModel(m.graph)
    }

    @Test func productsOfTwoActivationsCostOneConstraintEach() throws {
        var b = GraphBuilder("attention", inputs: [("q", [1, 3, 4]), ("k", [1, 4, 3])])
        b.output(b.node("MatMul", ["q", "k"], name: "scores"))
        let (_, model, _) = try checkModel(b.graph)
        guard case let .affine(step) = model.steps[0].kind else { Issue.record("not affine"); return }
        #expect(step.productCount == 36)
        #expect(try stepCosts(model)["scores"] == 36 + 9 * (step.shift + step.quotientBits + 2))

        var mul = GraphBuilder("mul", inputs: [("a", [2, 3]), ("b", [3])])
        mul.output(mul.node("Mul", ["a", "b"]))
        try checkModel(mul.graph)
    }

    @Test func convolutionsOfEveryRankGroupAndPadding() throws {
        var random = SplitMix64(seed: 11)
        let cases: [([Int], [Int], [String: Attribute])] = [
            ([1, 2, 9], [3, 2, 3], ["strides": .ints([2]), "pads": .ints([1, 2]), "dilations": .ints([2])]),
            ([1, 2, 7, 7], [3, 2, 3, 3], ["strides": .ints([2, 1]), "pads": .ints([1, 0, 1, 2])]),
            ([1, 4, 5, 5], [4, 1, 3, 3], ["group": .int(4), "auto_pad": .string("SAME_UPPER")]),
            ([1, 4, 6, 5], [6, 2, 3, 2], ["group": .int(2), "auto_pad": .string("SAME_LOWER"), "strides": .ints([2, 2])]),
            ([1, 2, 3, 4, 4], [2, 2, 2, 2, 3], ["pads": .ints([1, 0, 1, 0, 1, 1])]),
        ]
        for (input, weight, attributes) in cases {
            var b = GraphBuilder("conv", inputs: [("x", input)])
            let w = b.random(weight, scale: 0.5, &random)
            let bias = b.random([weight[0]], scale: 0.1, &random)
            b.output(b.node("Conv", ["x", w, bias], attributes))
            try checkModel(b.graph, samples: 2)
        }
        var t = GraphBuilder("convtranspose", inputs: [("x", [1, 2, 3, 4])])
        let w = t.random([2, 3, 3, 3], scale: 0.5, &random)
        t.output(t.node("ConvTranspose", ["x", w], ["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "output_padding": .ints([1, 0])]))
        try checkModel(t.graph, samples: 2)
    }

    @Test func batchNormFoldsIntoConvAndGemmAndStandsAlone() throws {
        var random = SplitMix64(seed: 12)
        var b = GraphBuilder("conv-bn-relu", inputs: [("x", [1, 1, 5, 5])])
        let w = b.random([2, 1, 3, 3], scale: 0.5, &random)
        let conv = b.node("Conv", ["x", w], name: "conv")
        let parameters = [[1.5, 0.7], [0.1, -0.2], [0.05, -0.1], [0.3, 1.2]].map { b.constant(Tensor(shape: [2], elements: $0)) }
        let norm = b.node("BatchNormalization", [conv] + parameters, name: "bn")
        b.output(b.node("Relu", [norm], name: "relu"))
        let (prepared, model, _) = try checkModel(b.graph)
        #expect(prepared.graph.nodes.map(\.type) == ["Conv", "Relu"])
        #expect(model.steps.map(\.name) == ["conv+bn+relu"])

        var alone = GraphBuilder("bn", inputs: [("x", [1, 2, 3, 3])])
        let p = [[1.5, 0.7], [0.1, -0.2], [0.05, -0.1], [0.3, 1.2]].map { alone.constant(Tensor(shape: [2], elements: $0)) }
        alone.output(alone.node("BatchNormalization", ["x"] + p))
        try checkModel(alone.graph)
    }

    @Test func elementwiseArithmeticBroadcastsAndAlignsScales() throws {
        var random = SplitMix64(seed: 13)
        var b = GraphBuilder("arith", inputs: [("x", [2, 3, 4]), ("y", [3, 1])])
        let c = b.random([4], scale: 2, &random)
        let shifted = b.node("Sub", ["x", c])
        let scaled = b.node("Div", [shifted, b.constant(Tensor(shape: [], elements: [3]))])
        let mixed = b.node("Add", [scaled, "y"])
        let negated = b.node("Neg", [mixed])
        let summed = b.node("Sum", [negated, "x", "y"])
        b.output(b.node("Mean", [summed, "x"]))
        try checkModel(b.graph)
    }

    @Test func reductionsAndPoolsOverAnyAxes() throws {
        try checkModel(single("ReduceSum", input: [2, 3, 4], ["keepdims": .int(0)]) { [$0.integers([0, -1])] })
        try checkModel(single("ReduceMean", input: [2, 3, 4]) { [$0.integers([1])] })
        try checkModel(single("ReduceSumSquare", input: [2, 3], ["keepdims": .int(0)]) { [$0.integers([1])] })
        try checkModel(single("ReduceMax", input: [2, 3, 4]) { [$0.integers([2])] })
        try checkModel(single("ReduceMin", input: [2, 3, 4], ["keepdims": .int(0)]) { [$0.integers([0, 2])] })
        try checkModel(single("MaxPool", input: [1, 2, 7, 7], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "ceil_mode": .int(1),
                                                                "dilations": .ints([1, 2])]))
        try checkModel(single("MaxPool", input: [1, 2, 9], ["kernel_shape": .ints([3]), "pads": .ints([1, 1])]))
        try checkModel(single("AveragePool", input: [1, 2, 5, 5], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]),
                                                                    "pads": .ints([1, 1, 1, 1]), "count_include_pad": .int(1)]))
        try checkModel(single("AveragePool", input: [1, 1, 4, 4, 4], ["kernel_shape": .ints([2, 2, 2]), "ceil_mode": .int(1), "strides": .ints([3, 3, 3])]))
        try checkModel(single("GlobalAveragePool", input: [1, 3, 3, 5]))
        try checkModel(single("GlobalMaxPool", input: [1, 3, 3, 5]))
    }

    @Test func argMaxAndArgMinResolveTiesLikeOnnxruntime() throws {
        for (type, last) in [("ArgMax", 0), ("ArgMax", 1), ("ArgMin", 0), ("ArgMin", 1)] {
            let graph = single(type, input: [2, 5], range: 0...1, ["axis": .int(1), "keepdims": .int(0), "select_last_index": .int(last)])
            let (_, model, _) = try checkModel(graph)
            // Exact ties: every element equal.
            let tied = try model.quantizeInputs([Array(repeating: 0.5, count: 10)])
            let lowered = try Lowering.lower(model, inputs: tied)
            #expect(lowered.outputs[0] == (last == 1 ? [4, 4] : [0, 0]), "\(type) select_last_index=\(last)")
        }
    }

    @Test func rectifiersAreExact() throws {
        var random = SplitMix64(seed: 14)
        try checkModel(single("Relu", input: [2, 6]))
        try checkModel(single("LeakyRelu", input: [2, 6], ["alpha": .float(0.1)]))
        try checkModel(single("PRelu", input: [1, 3, 2, 2]) { [$0.random([3, 1, 1], scale: 0.5, &random)] })
        try checkModel(single("Clip", input: [2, 6], range: -8...8) { [$0.constant(Tensor(shape: [], elements: [0])), $0.constant(Tensor(shape: [], elements: [6]))] })
        try checkModel(single("Clip", input: [2, 6]) { [$0.constant(Tensor(shape: [], elements: [-0.5]))] })
        try checkModel(single("HardSigmoid", input: [2, 6], range: -4...4))
        try checkModel(single("HardSwish", input: [2, 6], range: -4...4))
        try checkModel(single("Abs", input: [2, 6]))
        try checkModel(single("Sign", input: [2, 6]))
        var mm = GraphBuilder("maxmin", inputs: [("a", [2, 3]), ("b", [3])])
        let w = mm.random([3, 3], scale: 0.7, &random)
        let scaled = mm.node("MatMul", ["a", w])
        mm.output(mm.node("Max", [scaled, "b", "a"]), mm.node("Min", ["a", "b"]))
        try checkModel(mm.graph)
    }

    @Test func floorAndCeilOfFixedPointValues() throws {
        let (_, floor, _) = try checkModel(single("Floor", input: [2, 6], range: -4...4))
        let (_, ceil, _) = try checkModel(single("Ceil", input: [2, 6], range: -4...4))
        // Exhaustively over the proven input range: the integer result equals floor/ceil of the quantized input.
        for (model, rule) in [(floor, { (x: Double) in x.rounded(.down) }), (ceil, { (x: Double) in x.rounded(.up) })] {
            let range = model.tensors[model.inputs[0].tensor].range
            let unit = Double(1 << model.tensors[model.inputs[0].tensor].scale)
            for x in range {
                let output = try IntegerInterpreter.outputs(model, inputs: [[x] + Array(repeating: 0, count: 11)])[0][0]
                #expect(model.decode(model.outputs[0], [output])[0] == rule(Double(x) / unit))
            }
        }
    }

    @Test func layoutOpsAddZeroConstraints() throws {
        var b = GraphBuilder("layout", inputs: [("x", [1, 2, 3, 4])])
        var t = b.node("Transpose", ["x"], ["perm": .ints([0, 3, 1, 2])])
        t = b.node("Reshape", [t, b.integers([1, 4, -1])])
        t = b.node("Unsqueeze", [t, b.integers([0])])
        t = b.node("Squeeze", [t, b.integers([0])])
        t = b.node("Slice", [t, b.integers([0, 5]), b.integers([4, -100]), b.integers([1, 2]), b.integers([2, -2])])
        t = b.node("Pad", [t, b.integers([0, 1, 0, 0, 1, 2]), b.constant(Tensor(shape: [], elements: [0.25]))])
        let reflect = b.node("Pad", ["x", b.integers([0, 0, 1, 2, 0, 0, 1, 1])], ["mode": .string("reflect")])
        let edge = b.node("Pad", ["x", b.integers([0, 0, 2, 0, 0, 0, 0, 3])], ["mode": .string("edge")])
        let tiled = b.node("Tile", ["x", b.integers([1, 1, 2, 1])])
        let expanded = b.node("Expand", [b.node("Flatten", ["x"], ["axis": .int(3)]), b.integers([2, 6, 1])])
        let split = b.node("Split", ["x", b.integers([1, 2])], ["axis": .int(2)], outputs: 2)
        let gathered = b.node("Gather", ["x", b.integers([3, 0, -1])], ["axis": .int(3)])
        let slice = b.node("Slice", [gathered, b.integers([0]), b.integers([1]), b.integers([2])])
        let concatenated = b.node("Concat", [split, slice], ["axis": .int(3)])
        let d2s = b.node("DepthToSpace", [b.node("Reshape", ["x", b.integers([1, 4, 3, 2])])], ["blocksize": .int(2), "mode": .string("CRD")])
        let s2d = b.node("SpaceToDepth", [d2s], ["blocksize": .int(2)])
        let resized = b.node("Resize", ["x", "", b.constant(Tensor(shape: [4], elements: [1, 1, 2, 1.5]))], ["mode": .string("nearest")])
        let identity = b.node("Dropout", [b.node("Identity", ["x"])])
        let upper = b.node("Trilu", ["x", b.integers([1])])
        let lower = b.node("Trilu", ["x"], ["upper": .int(0)])
        b.output(t, reflect, edge, tiled, expanded, concatenated, s2d, resized, identity, upper, lower)
        let (_, model, _) = try checkModel(b.graph, samples: 2)
        let costs = try stepCosts(model)
        for step in model.steps { #expect(costs[step.name] == 0, "\(step.name) costs \(costs[step.name] ?? -1) constraints") }
    }

    /// Trilu keeps the triangle from diagonal k of the last two axes (the values onnxruntime gives for these cases).
    @Test func triluKeepsItsTriangle() throws {
        let x = Tensor(shape: [2, 3], elements: [1.0, 2, 3, 4, 5, 6])
        func trilu(_ attributes: [String: Attribute], k: Int?) throws -> [Double] {
            let node = Node(name: "t", type: "Trilu", inputs: ["x"] + (k == nil ? [] : ["k"]), outputs: ["y"], attributes: attributes)
            let inputs: [Operand?] = [.float(x)] + (k.map { [Operand.integer(Tensor(shape: [1], elements: [$0]), .int64)] } ?? [])
            return try OperatorTable.lookup("Trilu")!.evaluate(node, inputs)[0].doubles.elements
        }
        #expect(try trilu([:], k: nil) == [1, 2, 3, 0, 5, 6])
        #expect(try trilu([:], k: 1) == [0, 2, 3, 0, 0, 6])
        #expect(try trilu(["upper": .int(0)], k: nil) == [1, 0, 0, 4, 5, 0])
        #expect(try trilu(["upper": .int(0)], k: -1) == [0, 0, 0, 4, 0, 0])
    }

    @Test func shapeSubgraphsFoldAway() throws {
        // x.view(x.size(0), -1) as the TorchScript exporter writes it, then a Gemm.
        var random = SplitMix64(seed: 15)
        var b = GraphBuilder("view", inputs: [("x", [1, 2, 3, 3])])
        let shape = b.node("Shape", ["x"])
        let batch = b.node("Gather", [shape, b.constant(Tensor(shape: [], elements: [0]))], ["axis": .int(0)])
        let unsqueezed = b.node("Unsqueeze", [batch, b.integers([0])])
        let minusOne = b.node("Constant", [], ["value": .tensor(.integer(Tensor(shape: [1], elements: [-1]), .int64))])
        let target = b.node("Concat", [unsqueezed, minusOne], ["axis": .int(0)])
        let flat = b.node("Reshape", ["x", target])
        let w = b.random([4, 18], scale: 0.4, &random)
        b.output(b.node("Gemm", [flat, w], ["transB": .int(1)]))
        let (prepared, _, _) = try checkModel(b.graph)
        #expect(prepared.graph.nodes.map(\.type) == ["Reshape", "Gemm"])
    }

    @Test func unsupportedAndMalformedNodesNameTheNodeAndOp() throws {
        func rejection(_ graph: Graph) -> String? {
            do {
                _ = try Quantization.quantize(try Declutter.run(try FoldConstants.run(graph)))
                return nil
            } catch { return error.description }
        }
        #expect(rejection(single("Softsign", input: [3]))?.contains("unsupported op type 'Softsign'") == true)
        #expect(rejection(single("Log", input: [3]))?.contains("the logarithm of a value ≤ 0 is not a number") == true)
        #expect(rejection(single("IsNaN", input: [3]))?.contains("IsNaN on an activation is not supported") == true)
        #expect(rejection(single("Sqrt", input: [3]))?.contains("a square root of a negative value") == true)
        #expect(rejection(single("Reshape", input: [2, 3]) { [$0.integers([4, -1])] })?.contains("Reshape: cannot reshape [2, 3]") == true)
        #expect(rejection(single("Conv", input: [1, 2, 4, 4]) { [$0.constant(Tensor(shape: [1, 3, 3, 3], repeating: 0.1))] })?
            .contains("does not match 2 input channels") == true)
        #expect(rejection(single("Relu", input: [3], ["alpha": .float(1)]))?.contains("attribute 'alpha' is not supported") == true)
        var division = GraphBuilder("div", inputs: [("a", [3]), ("b", [3])])
        division.output(division.node("Div", ["a", "b"], name: "ratio"))
        #expect(rejection(division.graph)?.contains("node 'ratio'") == true)
        #expect(rejection(division.graph)?.contains("the divisor's proven range") == true)
    }
}

@Suite struct InputTests {
    @Test func inputsOutsideTheProvenRangeAreRejected() throws {
        let model = try Quantization.quantize(try Declutter.run(try FoldConstants.run(single("Relu", input: [2], range: 0...1))))
        // The circuit proves the declared range widened to a power-of-two span: [0, 128] needs 8 bits, so 0...255.
        #expect(model.tensors[model.inputs[0].tensor].range == 0...255)
        _ = try model.quantizeInputs([[0.5, 1.5]])
        #expect(throws: ModelError.self) { try model.quantizeInputs([[0.5, 2.5]]) }
        #expect(throws: ModelError.self) { try model.quantizeInputs([[0.5, -0.1]]) }
        #expect(throws: ModelError.self) { try model.quantizeInputs([[0.5]]) }
        #expect(throws: ModelError.self) { try model.quantizeInputs([[0.5, .nan]]) }
        #expect(throws: ModelError.self) { try Lowering.lower(model, inputs: [[0, 1 << 20]]) }
    }
}

@Suite struct RoundTests {
    @Test func roundHalfToEvenIsExactOverTheWholeRange() throws {
        let (_, model, _) = try checkModel(single("Round", input: [2, 6], range: -4...4), samples: 2)
        let input = model.tensors[model.inputs[0].tensor]
        let unit = Double(1 << input.scale)
        // Every integer input, ties included: the circuit's value equals Swift's round-half-to-even of the real value.
        var values = Array(input.range)
        while values.count % 12 != 0 { values.append(0) }
        for start in stride(from: 0, to: values.count, by: 12) {
            let chunk = Array(values[start..<(start + 12)])
            let lowered = try Lowering.lower(model, inputs: [chunk])
            try lowered.r1cs.checkSatisfied(by: lowered.witness)
            #expect(lowered.outputs[0] == chunk.map { Int((Double($0) / unit).rounded(.toNearestOrEven)) })
        }
    }
}

@Suite struct ExactFunctionTests {
    func positive(_ type: String, range: ClosedRange<Double>) -> Graph { single(type, input: [2, 6], range: range) }

    @Test func divisionByAnActivationIsExactAndWithinItsBound() throws {
        // Softsign as PyTorch exports it: x / (1 + |x|).
        var b = GraphBuilder("softsign", inputs: [("x", [2, 5])], range: -3...3)
        let denominator = b.node("Add", [b.node("Abs", ["x"]), b.constant(Tensor(shape: [], elements: [1]))])
        b.output(b.node("Div", ["x", denominator], name: "softsign"))
        let (_, model, _) = try checkModel(b.graph)
        guard case let .division(step) = model.steps.last!.kind else { Issue.record("not a division"); return }
        #expect(step.numerators.count == 10)
        // Negative divisors (a range entirely below zero) divide exactly too.
        var n = GraphBuilder("negative", inputs: [("a", [4]), ("b", [4])], range: 0.5...2)
        n.output(n.node("Div", ["a", n.node("Neg", ["b"])]))
        try checkModel(n.graph)
        // A divisor whose range includes zero is refused, naming the node.
        var z = GraphBuilder("zero", inputs: [("a", [4]), ("b", [4])], range: -1...1)
        z.output(z.node("Div", ["a", "b"], name: "ratio"))
        #expect(throws: ModelError.self) { try Quantization.quantize(try Declutter.run(try FoldConstants.run(z.graph))) }
    }

    /// Mod by constants, both modes, every integer input the circuit admits: the result is the exact remainder of that
    /// integer (fmod = 1: C's fmod, which onnxruntime computes; fmod = 0: floor mod, torch.remainder's, which onnxruntime
    /// allows for integers only), and forged remainders fail.
    @Test func modByAConstantIsExactOverItsWholeIntegerDomain() throws {
        for (fmod, divisor) in [(0, 0.75), (1, 0.75), (0, -1.5), (1, -0.5)] {
            var b = GraphBuilder("mod", inputs: [("x", [4])], range: -3...3)
            b.output(b.node("Mod", ["x", b.constant(Tensor(shape: [], elements: [divisor]))], ["fmod": .int(fmod)], name: "mod"))
            let (_, model, lowered) = try checkModel(b.graph, samples: 2)
            let input = model.tensors[model.inputs[0].tensor]
            let unit = pow(2, Double(input.scale))
            for value in input.range {
                let x = Double(value) / unit
                let expected = fmod == 1 ? Foundation.fmod(x, divisor) : x - (x / divisor).rounded(.down) * divisor
                let integers = try IntegerInterpreter.outputs(model, inputs: [[Int](repeating: value, count: 4)])
                #expect(Double(integers[0][0]) / unit == expected, "\(x) mod \(divisor) (fmod \(fmod))")
            }
            // Each public output moved by one unit or by the divisor (q − 1 with r + |B|): unsatisfied.
            let step = Int(abs(divisor) * unit)
            for index in 0..<model.outputCount {
                for delta in [1, -1, step, -step] {
                    var witness = lowered.witness
                    witness[1 + index] += Fr(signed: delta)
                    #expect(!lowered.r1cs.isSatisfied(by: witness))
                }
            }
        }
        var variable = GraphBuilder("variable", inputs: [("a", [2]), ("b", [2])], range: 1...2)
        variable.output(variable.node("Mod", ["a", "b"], ["fmod": .int(1)], name: "mod"))
        #expect { try Quantization.quantize(try Declutter.run(try FoldConstants.run(variable.graph))) } throws: { "\($0)".contains("constant divisor") }
    }

    @Test func reciprocalAndSqrtAreExactOverTheirWholeIntegerDomain() throws {
        for scale in [7, 10] {
            let settings = CompilerSettings(activationScale: scale)
            for (type, range, function) in [("Reciprocal", 0.25...4.0, { 1 / $0 }), ("Sqrt", 0.0...4.0, { (x: Double) in x.squareRoot() })] {
                let (_, model, _) = try checkModel(positive(type, range: range), settings: settings, samples: 2)
                let input = model.tensors[model.inputs[0].tensor]
                let output = model.outputs[0]
                let unit = Double(1 << input.scale)
                // Every integer input the circuit admits: the result is the correctly rounded one (half up for the
                // quotient, floor for the root) and within the stated bound of the real function of that input.
                var worst = 0.0
                for x in input.range {
                    let result = try IntegerInterpreter.outputs(model, inputs: [[x] + Array(repeating: input.range.upperBound, count: 11)])[0][0]
                    let real = function(Double(x) / unit)
                    let value = Double(result) / Double(1 << output.scale)
                    if type == "Sqrt" {
                        #expect(value <= real + 1e-12 && value + 1 / Double(1 << output.scale) > real - 1e-12)
                    } else {
                        #expect(abs(value - real) <= 0.5 / Double(1 << output.scale) + 1e-12)
                    }
                    worst = max(worst, abs(value - real))
                }
                #expect(worst <= output.errorBound, "\(type) at 2^-\(scale): \(worst) vs bound \(output.errorBound)")
            }
        }
    }

    @Test func powWithConstantExponents() throws {
        for exponent in [2.0, 3, 5, -1, -2, 0.5, 0] {
            var b = GraphBuilder("pow", inputs: [("x", [6])], range: 0.5...1.5)
            b.output(b.node("Pow", ["x", b.constant(Tensor(shape: [], elements: [exponent]))]))
            try checkModel(b.graph, samples: 2)
        }
        var variable = GraphBuilder("pow", inputs: [("x", [3]), ("e", [3])], range: 0.5...1.5)
        variable.output(variable.node("Pow", ["x", "e"]))
        #expect(throws: ModelError.self) { try Quantization.quantize(try Declutter.run(try FoldConstants.run(variable.graph))) }
    }
}

@Suite struct EmbeddingTests {
    func lookup(table: Tensor<Double>, indices: [Int]) throws -> (QuantizedModel, LoweredModel) {
        var b = GraphBuilder("embedding", inputs: [])
        b.graph.inputs = [GraphInput(name: "ids", type: TensorType(.int64, [1, indices.count]), range: 0...Double(table.shape[0] - 1))]
        b.output(b.node("Gather", [b.constant(table), "ids"], name: "embed"))
        let prepared = try Declutter.run(try FoldConstants.run(b.graph))
        let model = try Quantization.quantize(prepared)
        let lowered = try Lowering.lower(model, inputs: [indices])
        try lowered.r1cs.checkSatisfied(by: lowered.witness)
        let floats = try FloatInterpreter.outputs(prepared, model, inputs: [indices.map(Double.init)])[0]
        let values = model.decode(model.outputs[0], lowered.outputs[0])
        #expect(zip(values, floats).allSatisfy { abs($0 - $1) <= model.outputs[0].errorBound })
        return (model, lowered)
    }

    @Test func aVariableIndexSelectsItsRowThroughAOneHotVector() throws {
        var random = SplitMix64(seed: 21)
        let table = randomTensor([8, 4], scale: 1, &random)
        let (model, lowered) = try lookup(table: table, indices: [3, 0, 7, 3])
        // Cost: the index range check, then size + 2 constraints per lookup; a constant table adds nothing more.
        let costs = try stepCosts(model)
        #expect(costs["embed"] == 4 * (8 + 2))
        var auditRandom = SplitMix64(seed: 3)
        #expect(try UnderconstraintAudit.run(lowered.r1cs, witness: lowered.witness, random: &auditRandom).findings.isEmpty)
        // Moving any hot wire past the inputs (a selector bit or a range-check bit) to its neighbour breaks the system:
        // a selector pointing at another row fails Σ j·eⱼ = index.
        for position in (lowered.r1cs.publicCount + 5)..<(lowered.witness.count - 1) where lowered.witness[position] == .one {
            var forged = lowered.witness
            forged[position] = .zero
            forged[position + 1] = .one
            #expect(!lowered.r1cs.isSatisfied(by: forged))
        }
        // An index past the table has no witness.
        #expect(throws: ModelError.self) { try Lowering.lower(model, inputs: [[3, 0, 7, 8]]) }
    }

    @Test func anIndexRangeBeyondTheTableIsRefused() throws {
        var b = GraphBuilder("embedding", inputs: [])
        b.graph.inputs = [GraphInput(name: "ids", type: TensorType(.int64, [1, 2]), range: -2...5)]
        b.output(b.node("Gather", [b.constant(Tensor(shape: [8, 2], repeating: 0.5)), "ids"], name: "embed"))
        #expect(throws: ModelError.self) { try Quantization.quantize(try Declutter.run(try FoldConstants.run(b.graph))) }
    }
}

@Suite struct CastTests {
    @Test func castLikeOfAConstantToAnActivationsTypeFolds() throws {
        var b = GraphBuilder("castlike", inputs: [("x", [3])])
        let offset = b.node("CastLike", [b.integers([1, 2, 3]), "x"])
        b.output(b.node("Add", ["x", offset]))
        let (_, model, _) = try checkModel(b.graph, samples: 2)
        #expect(try stepCosts(model)[model.steps.last!.name] == 0)  // x + a constant is free
    }
}
