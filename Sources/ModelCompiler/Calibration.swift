import Gadgets
import ModelIR

/// Chooses fixed-point settings from sample inputs and reports the accuracy they give against float inference.
public enum Calibration {
    /// Accuracy of one set of settings over the samples.
    public struct Candidate: Sendable, Hashable, Codable {
        public var settings: CompilerSettings
        public var constraints: Int
        /// Largest |integer output − float output| over all samples and outputs (for an index output: the logits).
        public var maximumAbsoluteError: Double
        /// The compiler's worst-case bound for the same quantity, over every input in range.
        public var errorBound: Double
        /// Fraction of samples whose argmax matches float inference on every output with more than one element.
        public var argmaxAgreement: Double
    }

    public struct Report: Sendable, Hashable, Codable {
        public var samples: Int
        public var chosen: Candidate
        public var candidates: [Candidate]
    }

    /// Tries activation scales `scales` (weights get one more bit than activations) and picks the cheapest circuit
    /// whose argmax agrees with float inference on every sample and whose largest output error is within
    /// `relativeTolerance` of the largest float output magnitude; failing that, the most accurate one.
    /// Each sample holds one flat array per graph input.
    public static func calibrate(
        _ prepared: PreparedGraph, samples: [[[Double]]], weights: WeightVisibility = .fixed, visibility: [String: InputVisibility] = [:],
        scales: ClosedRange<Int> = 5...12, relativeTolerance: Double = 0.01, rounding: Rounding = .halfUp
    ) throws(ModelError) -> Report {
        guard !samples.isEmpty else { throw ModelError("calibration needs at least one sample") }
        var candidates: [Candidate] = []
        var floats: [[[Double]]]?
        var lastError: ModelError?
        for scale in scales {
            let settings = CompilerSettings(activationScale: scale, weightBits: scale + 1, rounding: rounding)
            let quantized: QuantizedModel
            do { quantized = try Quantization.quantize(prepared, settings: settings, weights: weights, visibility: visibility) } catch {
                lastError = error
                continue
            }
            if floats == nil {
                floats = try samples.map { sample throws(ModelError) in try FloatInterpreter.outputs(prepared, quantized, inputs: sample) }
            }
            var worst = 0.0
            var agreeing = 0
            for (sample, expected) in zip(samples, floats!) {
                let integers = try IntegerInterpreter.outputs(quantized, inputs: try quantized.quantizeInputs(sample))
                var agrees = true
                for (index, output) in quantized.outputs.enumerated() {
                    let values = quantized.decode(output, integers[index])
                    let reference = expected[index]
                    if output.isIndex {
                        agrees = agrees && values == reference
                        continue
                    }
                    worst = max(worst, zip(values, reference).map { abs($0 - $1) }.max() ?? 0)
                    if values.count > 1, values.firstIndex(of: values.max()!) != reference.firstIndex(of: reference.max()!) { agrees = false }
                }
                if agrees { agreeing += 1 }
            }
            let cost = try CostReport.of(quantized)
            candidates.append(Candidate(
                settings: settings, constraints: cost.constraints, maximumAbsoluteError: worst,
                errorBound: quantized.outputs.filter { !$0.isIndex }.map(\.errorBound).max() ?? 0,
                argmaxAgreement: Double(agreeing) / Double(samples.count)))
        }
        guard !candidates.isEmpty else {
            throw lastError ?? ModelError("no activation scale in \(scales) can represent this model")
        }
        let magnitude = floats!.joined().joined().map(abs).max() ?? 0
        let tolerance = relativeTolerance * max(magnitude, 1e-9)
        let best = candidates.map(\.argmaxAgreement).max()!
        let agreeing = candidates.filter { $0.argmaxAgreement == best }
        let accurate = agreeing.filter { $0.maximumAbsoluteError <= tolerance }
        let chosen = accurate.isEmpty
            ? agreeing.min { $0.maximumAbsoluteError < $1.maximumAbsoluteError }!
            : accurate.min { ($0.constraints, $0.maximumAbsoluteError) < ($1.constraints, $1.maximumAbsoluteError) }!
        return Report(samples: samples.count, chosen: chosen, candidates: candidates)
    }
}
