import Gadgets

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
        /// Fraction of samples whose argmax matches float inference.
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
    public static func calibrate(
        _ model: Model, samples: [[Double]], scales: ClosedRange<Int> = 5...12, relativeTolerance: Double = 0.01,
        rounding: Rounding = .halfUp
    ) throws(ModelError) -> Report {
        guard !samples.isEmpty else { throw ModelError("calibration needs at least one sample") }
        let logits = logitTensor(of: model)
        let floats = try samples.map { sample throws(ModelError) in try FloatInterpreter.run(model, input: sample)[logits]! }
        var candidates: [Candidate] = []
        for scale in scales {
            let settings = CompilerSettings(activationScale: scale, weightBits: scale + 1, rounding: rounding)
            guard let quantized = try? Quantizer.quantize(model, settings: settings) else { continue }
            let layer = quantized.layers.last { $0.output == logits }
            let outputScale = Double(1 << (layer?.outputScale ?? quantized.inputScale))
            var worst = 0.0
            var agreeing = 0
            for (sample, expected) in zip(samples, floats) {
                let integers = try IntegerInterpreter.run(quantized, input: try quantized.quantizeInput(sample))[logits]!
                let values = integers.map { Double($0) / outputScale }
                worst = max(worst, zip(values, expected).map { abs($0 - $1) }.max() ?? 0)
                if values.firstIndex(of: values.max()!) == expected.firstIndex(of: expected.max()!) { agreeing += 1 }
            }
            let cost = try CostReport.of(quantized, inputVisibility: .private)
            candidates.append(Candidate(
                settings: settings, constraints: cost.constraints, maximumAbsoluteError: worst,
                errorBound: layer?.errorBound ?? 0, argmaxAgreement: Double(agreeing) / Double(samples.count)))
        }
        guard !candidates.isEmpty else { throw ModelError("no activation scale in \(scales) can represent this model") }
        let tolerance = relativeTolerance * max(floats.joined().map(abs).max() ?? 0, 1e-9)
        let best = candidates.map(\.argmaxAgreement).max()!
        let agreeing = candidates.filter { $0.argmaxAgreement == best }
        let accurate = agreeing.filter { $0.maximumAbsoluteError <= tolerance }
        let chosen = accurate.isEmpty
            ? agreeing.min { $0.maximumAbsoluteError < $1.maximumAbsoluteError }!
            : accurate.min { ($0.constraints, $0.maximumAbsoluteError) < ($1.constraints, $1.maximumAbsoluteError) }!
        return Report(samples: samples.count, chosen: chosen, candidates: candidates)
    }

    /// The tensor compared with float inference: the model output, or the logits before a final ArgMax.
    static func logitTensor(of model: Model) -> String {
        if let last = model.nodes.last(where: { $0.output == model.output }), last.operation == .argmax { return last.inputs[0] }
        return model.output
    }
}
