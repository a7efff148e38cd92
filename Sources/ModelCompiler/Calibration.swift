import Gadgets
import ModelIR

/// What float inference reached on calibration samples: the largest |value| of every float graph tensor.
public struct ObservedRanges: Sendable {
    public var magnitudes: [String: Double]
    /// One of the samples (every calibrated range admits it), for lowering the circuit's layout.
    public var sample: [[Double]]

    public static func observe(_ prepared: PreparedGraph, samples: [[[Double]]]) throws(ModelError) -> ObservedRanges {
        guard let first = samples.first else { throw ModelError("calibrated ranges need at least one sample") }
        var magnitudes: [String: Double] = [:]
        for sample in samples {
            for (name, value) in try FloatInterpreter.run(prepared, inputs: sample) {
                guard case let .float(tensor) = value, prepared.graph.constants[name] == nil else { continue }
                let largest = tensor.elements.lazy.map(abs).max() ?? 0
                magnitudes[name] = max(magnitudes[name] ?? 0, largest)
            }
        }
        return ObservedRanges(magnitudes: magnitudes, sample: first)
    }
}

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

    /// Tries activation scales `scales` in order (weights get one more bit than activations; four more scales for models
    /// with comparisons), up to the first whose
    /// argmax agrees with float inference on every sample and whose largest output error is within `relativeTolerance`
    /// of the largest float output magnitude, and picks the cheapest such circuit; failing that, the most accurate one
    /// among those agreeing most often.
    /// Each sample holds one flat array per graph input. With `rangeMargin`, every candidate uses calibrated ranges.
    public static func calibrate(
        _ prepared: PreparedGraph, samples: [[[Double]]], weights: WeightVisibility = .fixed, visibility: [String: InputVisibility] = [:],
        scales: ClosedRange<Int> = 5...12, relativeTolerance: Double = 0.01, rounding: Rounding = .halfUp, rangeMargin: Double? = nil,
        observed: ObservedRanges? = nil
    ) throws(ModelError) -> Report {
        guard !samples.isEmpty else { throw ModelError("calibration needs at least one sample") }
        var candidates: [Candidate] = []
        var floats: [[[Double]]]?
        /// The largest output error accepted: `relativeTolerance` of the largest float output.
        var tolerance = 0.0
        var lastError: ModelError?
        var observed = observed
        if rangeMargin != nil, observed == nil { observed = try ObservedRanges.observe(prepared, samples: samples) }
        /// Scales past `scales` tried for models that compare against thresholds (trees): an input within a unit of
        /// a threshold can take the other branch, and data values often sit a few 1e-4 from a split.
        let decisionScales = (scales.upperBound + 1)...(scales.upperBound + 4)
        var decides = false
        for scale in Array(scales) + Array(decisionScales) {
            if scale > scales.upperBound && !decides { break }
            let settings = CompilerSettings(activationScale: scale, weightBits: scale + 1, rounding: rounding, rangeMargin: rangeMargin)
            let quantized: QuantizedModel
            do {
                quantized = try Quantization.quantize(prepared, settings: settings, weights: weights, visibility: visibility, observed: observed)
            } catch {
                lastError = error
                continue
            }
            decides = decides || quantized.steps.contains { if case .comparison = $0.kind { true } else { false } }
            if floats == nil {
                floats = try samples.map { sample throws(ModelError) in try FloatInterpreter.outputs(prepared, quantized, inputs: sample) }
                tolerance = relativeTolerance * max(floats!.joined().joined().map(abs).max() ?? 0, 1e-9)
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
            // Finer scales cost more: once one agrees on every sample within the tolerance, none after it is chosen.
            if agreeing == samples.count, worst <= tolerance { break }
        }
        guard !candidates.isEmpty else {
            throw lastError ?? ModelError("no activation scale in \(scales) can represent this model")
        }
        let best = candidates.map(\.argmaxAgreement).max()!
        let agreeing = candidates.filter { $0.argmaxAgreement == best }
        let accurate = agreeing.filter { $0.maximumAbsoluteError <= tolerance }
        let chosen = accurate.isEmpty
            ? agreeing.min { $0.maximumAbsoluteError < $1.maximumAbsoluteError }!
            : accurate.min { ($0.constraints, $0.maximumAbsoluteError) < ($1.constraints, $1.maximumAbsoluteError) }!
        return Report(samples: samples.count, chosen: chosen, candidates: candidates)
    }
}
