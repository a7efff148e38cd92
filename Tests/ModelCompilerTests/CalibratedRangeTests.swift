import Algebra
import ConstraintSystem
import Foundation
import Gadgets
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// Calibrated ranges: range checks bounded by the margin times what float inference reaches on the samples.
@Suite struct CalibratedRangeTests {
    /// The difference of two nearly equal dense layers with ReLU (a sum without rescale), then a LayerNorm: interval
    /// arithmetic sees the sum of their ranges for the difference, the samples far less.
    static func residualNorm(_ random: inout SplitMix64) -> Graph {
        var builder = GraphBuilder("residual", inputs: [("x", [2, 16])], range: -1...1)
        let weights = randomTensor([16, 16], scale: 1, &random)
        let nearby = Tensor(shape: weights.shape, elements: weights.elements.map { $0 + 0.05 * (Double(random.next() % 2001) / 1000 - 1) })
        let first = builder.node("Relu", [builder.node("MatMul", ["x", builder.constant(weights)])], name: "first")
        let second = builder.node("Relu", [builder.node("MatMul", ["x", builder.constant(nearby)])], name: "second")
        let sum = builder.node("Sub", [first, second], name: "sum")
        let scale = builder.random([16], scale: 1, &random)
        let bias = builder.random([16], scale: 0.2, &random)
        builder.output(builder.node("LayerNormalization", [sum, scale, bias], ["axis": .int(-1), "epsilon": .float(1e-5)], name: "norm"))
        return builder.graph
    }

    static func samples(_ count: Int, amplitude: Double, _ random: inout SplitMix64) -> [[[Double]]] {
        (0..<count).map { _ in [(0..<32).map { _ in (Double(random.next() % 20001) / 10000 - 1) * amplitude }] }
    }

    @Test func calibratedRangesNarrowTheChecksAndProveInputsLikeTheSamples() throws {
        var random = SplitMix64(seed: 5)
        let prepared = try Declutter.run(try FoldConstants.run(Self.residualNorm(&random)))
        let samples = Self.samples(6, amplitude: 0.2, &random)
        let observed = try ObservedRanges.observe(prepared, samples: samples)
        let proven = try Quantization.quantize(prepared, settings: CompilerSettings(activationScale: 9, weightBits: 10))
        let settings = CompilerSettings(activationScale: 9, weightBits: 10, rangeMargin: 2)
        let calibrated = try Quantization.quantize(prepared, settings: settings, observed: observed)

        // The sum (no rescale of its own) gets a range check of the calibrated width, which every later bound uses.
        let sum = try #require(calibrated.steps.first { $0.name.hasPrefix("sum") && $0.operations.hasPrefix("Sub") })
        guard case let .affine(step) = sum.kind else { Issue.record("the sum is not affine"); return }
        #expect(step.rangeChecked == true && step.shift == 0)
        let bound = 2 * observed.magnitudes["sum"]! * 512 + 1
        #expect(BitWidth.signed(calibrated.tensors[sum.output].range) == BitWidth.signed(-Int(bound.rounded(.up))...Int(bound.rounded(.up))))
        let provenSum = try #require(proven.steps.first { $0.name == sum.name })
        #expect(BitWidth.signed(calibrated.tensors[sum.output].range) + 2 < BitWidth.signed(proven.tensors[provenSum.output].range))
        #expect(try CostReport.of(calibrated).constraints < CostReport.of(proven).constraints)
        #expect(calibrated.sampleInputs == (try calibrated.quantizeInputs(samples[0])))

        // New inputs of the samples' size prove, equal the interpreter, and stay within the (now finite) bounds.
        for input in Self.samples(4, amplitude: 0.2, &random) {
            let integers = try calibrated.quantizeInputs(input)
            let lowered = try Lowering.lower(calibrated, inputs: integers)
            try lowered.r1cs.checkSatisfied(by: lowered.witness)
            #expect(lowered.values == (try IntegerInterpreter.run(calibrated, inputs: integers)))
            let reference = try FloatInterpreter.outputs(prepared, calibrated, inputs: input)[0]
            let worst = zip(calibrated.decode(calibrated.outputs[0], lowered.outputs[0]), reference).map { abs($0 - $1) }.max()!
            #expect(worst <= calibrated.outputs[0].errorBound)
        }
        var auditRandom = SplitMix64(seed: 9)
        let lowered = try Lowering.lower(calibrated, inputs: try calibrated.quantizeInputs(samples[1]))
        #expect(try UnderconstraintAudit.run(lowered.r1cs, witness: lowered.witness, random: &auditRandom).findings.isEmpty)
    }

    /// An input within the declared range whose values exceed a calibrated range is refused by name before any
    /// range check fails, by the interpreter and by the lowering alike.
    @Test func anInputBeyondTheCalibratedRangesIsRefusedByName() throws {
        var random = SplitMix64(seed: 5)
        let prepared = try Declutter.run(try FoldConstants.run(Self.residualNorm(&random)))
        let observed = try ObservedRanges.observe(prepared, samples: Self.samples(6, amplitude: 0.1, &random))
        let model = try Quantization.quantize(prepared, settings: CompilerSettings(activationScale: 8, weightBits: 9, rangeMargin: 1.5), observed: observed)
        let integers = try model.quantizeInputs([[Double](repeating: 1, count: 32)])
        func explains(_ error: any Error) -> Bool {
            let text = "\(error)"
            return text.contains("drives 'first'") && text.contains("calibrated") && text.contains("--ranges proven")
        }
        #expect { try IntegerInterpreter.run(model, inputs: integers) } throws: { explains($0) }
        #expect { try Lowering.lower(model, inputs: integers) } throws: { explains($0) }
    }

    /// The calibrated range check is a constraint: a witness whose checked value leaves its range cannot satisfy it.
    @Test func aValueForgedBeyondTheCalibratedRangeIsRejected() throws {
        var builder = ConstraintSystemBuilder()
        let x = Signal(builder.allocate(.privateInput, value: Fr(signed: 5)), value: 5)
        _ = try builder.enforceSignedRange(x, bits: 4, gadget: "calibrated range")
        let (r1cs, witness) = builder.build()
        try r1cs.checkSatisfied(by: witness!)
        for forged in [8, -9, 100] {
            var bad = witness!
            bad[1] = Fr(signed: forged)
            #expect(!r1cs.isSatisfied(by: bad))
        }
    }

    @Test func calibratedRangesNeedSamplesAndAMarginOfAtLeastOne() throws {
        var random = SplitMix64(seed: 5)
        let prepared = try Declutter.run(try FoldConstants.run(Self.residualNorm(&random)))
        #expect { try Quantization.quantize(prepared, settings: CompilerSettings(rangeMargin: 4)) } throws: { "\($0)".contains("calibration samples") }
        let observed = try ObservedRanges.observe(prepared, samples: Self.samples(2, amplitude: 0.1, &random))
        #expect { try Quantization.quantize(prepared, settings: CompilerSettings(rangeMargin: 0.5), observed: observed) } throws: { "\($0)".contains("at least 1") }
    }

    /// Calibration stops at the first scale that agrees on every sample within the tolerance (finer ones only cost
    /// more), keeps the margin in every candidate, and the chosen one compiles like a direct quantization.
    @Test func calibrationStopsAtTheFirstAccurateScaleAndKeepsTheMargin() throws {
        var random = SplitMix64(seed: 5)
        let prepared = try Declutter.run(try FoldConstants.run(Self.residualNorm(&random)))
        let samples = Self.samples(4, amplitude: 0.2, &random)
        let report = try Calibration.calibrate(prepared, samples: samples, scales: 4...12, relativeTolerance: 0.05, rangeMargin: 2)
        #expect(report.chosen == report.candidates.last)
        #expect(report.chosen.argmaxAgreement == 1)
        #expect(report.candidates.count < 9)
        #expect(report.candidates.allSatisfy { $0.settings.rangeMargin == 2 })
        let observed = try ObservedRanges.observe(prepared, samples: samples)
        let model = try Quantization.quantize(prepared, settings: report.chosen.settings, observed: observed)
        let largest = try samples.flatMap { try FloatInterpreter.outputs(prepared, model, inputs: $0).joined() }.map(abs).max()!
        for earlier in report.candidates.dropLast() {
            #expect(earlier.argmaxAgreement < 1 || earlier.maximumAbsoluteError > 0.05 * largest)
        }
        #expect(try CostReport.of(model).constraints == report.chosen.constraints)
    }

    /// Retrained weights matched against a calibrated model reuse its range checks: the same circuit.
    @Test func retrainedWeightsReuseTheCalibratedRanges() throws {
        var random = SplitMix64(seed: 5)
        let graph = Self.residualNorm(&random)
        let prepared = try Declutter.run(try FoldConstants.run(graph))
        let observed = try ObservedRanges.observe(prepared, samples: Self.samples(4, amplitude: 0.2, &random))
        let original = try Quantization.quantize(
            prepared, settings: CompilerSettings(activationScale: 8, weightBits: 9, rangeMargin: 2), weights: .hashed, observed: observed)
        var retrained = graph
        for (name, constant) in retrained.constants {
            guard case let .float(tensor) = constant, tensor.count > 16 else { continue }
            retrained.constants[name] = .float(tensor.map { $0 * 0.9 })
        }
        let matched = try Quantization.quantize(try Declutter.run(try FoldConstants.run(retrained)), matching: original)
        #expect(matched.tensors.map(\.range) == original.tensors.map(\.range))
        #expect(matched.sampleInputs == original.sampleInputs)
    }
}
