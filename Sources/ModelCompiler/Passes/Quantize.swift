import Foundation
import Gadgets
import ModelIR

/// The quantization pass: walks the prepared graph, turning each node into circuit steps or pending expressions.
public enum Quantization {
    /// Graphs handling more terms than this are refused before quantization (a circuit of roughly this many
    /// constraints takes minutes and gigabytes to prove on a laptop).
    public static let workLimit = 1 << 25

    /// Quantizes `prepared`. Every graph input needs a declared range. With `weights` other than `.fixed`, non-scalar
    /// float constants that linear ops read become committed parameters; `matching` (a model compiled before) then fixes
    /// their scales and bit widths, so a retrained model of the same architecture yields the same circuit, or an error.
    /// Calibrated ranges (`settings.rangeMargin`) need `observed`, unless they come from `reference`.
    public static func quantize(
        _ prepared: PreparedGraph, settings: CompilerSettings = CompilerSettings(), weights: WeightVisibility = .fixed,
        visibility: [String: InputVisibility] = [:], observed: ObservedRanges? = nil, matching reference: QuantizedModel? = nil
    ) throws(ModelError) -> QuantizedModel {
        let settings = reference?.settings ?? settings
        let weights = reference?.weightVisibility ?? weights
        guard (0...24).contains(settings.activationScale), (2...24).contains(settings.weightBits),
              (0...30).contains(settings.maximumWeightScale) else {
            throw ModelError("settings out of range: activation scale 0...24, weight bits 2...24, maximum weight scale 0...30")
        }
        guard prepared.work <= workLimit else {
            throw ModelError("the model handles about \(prepared.work) multiply-adds and compared elements, beyond the \(workLimit) this compiler accepts (a circuit that size is impractical to prove); use a smaller input or model")
        }
        if let margin = settings.rangeMargin {
            guard margin.isFinite, margin >= 1 else { throw ModelError("the range margin must be at least 1 (\(margin) given)") }
            guard observed != nil || reference != nil else { throw ModelError("calibrated ranges need calibration samples") }
        }
        let graph = prepared.graph
        var quantizer = Quantizer(settings: settings, weights: weights, reference: reference)
        if settings.rangeMargin != nil, let observed { quantizer.observed = observed.magnitudes }
        var values: [String: QuantizedOperand] = [:]
        /// The nodes whose results a pending value still carries (named in the step that materializes it).
        var origins: [String: [Node]] = [:]
        for (name, constant) in graph.constants { values[name] = .constant(constant) }
        var inputs: [QuantizedInput] = []
        let scale = settings.activationScale
        let unit = Double(1 << scale)
        for input in graph.inputs {
            guard let range = input.range, range.lowerBound.isFinite, range.upperBound.isFinite else {
                throw ModelError("input '\(input.name)' has no range: give --input-range \(input.name)=low,high or calibration samples")
            }
            let id: Int
            guard max(abs(range.lowerBound), abs(range.upperBound)) * unit < Double(1 << 40) else {
                throw ModelError("input '\(input.name)': the range \(range) is too large for fixed point at activation scale \(scale)")
            }
            if input.type.elementType == .float {
                let low = Int((range.lowerBound * unit).rounded())
                let high = Int((range.upperBound * unit).rounded())
                guard abs(low) < 1 << 40, abs(high) < 1 << 40 else { throw ModelError("input '\(input.name)': the range is too large for activation scale \(scale)") }
                let proven = low...(low + (1 << BitWidth.unsigned(high - low)) - 1)
                id = quantizer.addInput(name: input.name, shape: input.type.shape, scale: scale, range: proven)
            } else {
                let low = Int(range.lowerBound.rounded(.down))
                let high = Int(range.upperBound.rounded(.up))
                id = quantizer.addInput(name: input.name, shape: input.type.shape, scale: 0, range: low...(low + (1 << BitWidth.unsigned(high - low)) - 1))
            }
            values[input.name] = .tensor(id)
            inputs.append(QuantizedInput(name: input.name, tensor: id, shape: input.type.shape, declaredRange: range,
                                         visibility: visibility[input.name] ?? .private))
        }
        let consumers = graph.consumerCounts

        for node in graph.nodes {
            guard let op = OperatorTable.lookup(node.type) else { throw ModelError(node: node.name, "unsupported op type '\(node.type)'") }
            quantizer.currentNode = node
            var origin: [Node] = []
            for name in node.inputs where !name.isEmpty {
                if case .pending? = values[name] {
                    for source in origins[name] ?? [] where !origin.contains(where: { $0.name == source.name }) { origin.append(source) }
                }
            }
            quantizer.currentOrigin = origin + [node]
            let stepsBefore = quantizer.steps.count
            var operands: [QuantizedOperand?] = []
            quantizer.observedOperands = []
            for name in node.inputs {
                if name.isEmpty { operands.append(nil); continue }
                guard let value = values[name] else { throw node.error("input '\(name)' is not computed by the graph") }
                operands.append(value)
                if case let .pending(expressions) = value, let magnitude = quantizer.observed[name] {
                    quantizer.observedOperands.append((expressions, magnitude))
                }
            }
            let outputs = try op.quantize(node, operands, &quantizer)
            for (index, name) in node.outputs.enumerated() where !name.isEmpty && index < outputs.count {
                var output = outputs[index]
                // A wide pending tensor read twice is materialized once rather than composed into each reader.
                if case let .pending(expressions) = output, (consumers[name] ?? 0) > 1, Quantizer.isWide(expressions) {
                    output = .tensor(try quantizer.materialize(output, name: name, observedMagnitude: quantizer.observed[name]))
                }
                // A step that computes exactly this node's output carries its name.
                if case let .tensor(id) = output, quantizer.info(id).name.hasPrefix(node.name + ":") {
                    quantizer.rename(id, to: name)
                }
                values[name] = output
                origins[name] = quantizer.steps.count > stepsBefore ? [node] : origin + [node]
            }
        }
        quantizer.currentNode = nil
        var outputs: [QuantizedOutput] = []
        for name in graph.outputs {
            let proved = prepared.proved[name]
            let source = proved?.tensor ?? name
            guard let value = values[source] else { throw ModelError("the graph output '\(name)' is never produced") }
            let id: Int
            if case let .tensor(existing) = value {
                id = existing
            } else {
                quantizer.currentOrigin = origins[source] ?? []
                id = try quantizer.materialize(value, name: name)
            }
            let info = quantizer.info(id)
            outputs.append(QuantizedOutput(
                name: name, tensor: id, shape: info.shape, scale: info.scale, isIndex: info.elementType != .float,
                errorBound: info.errorBound, note: proved?.note, reference: source))
        }
        var model = QuantizedModel(
            name: graph.name, settings: settings, weightVisibility: weights, tensors: quantizer.tensors, inputs: inputs,
            parameters: quantizer.parameters, steps: quantizer.steps, outputs: outputs)
        if settings.rangeMargin != nil {
            if let reference {
                model.sampleInputs = reference.sampleInputs
            } else if let observed {
                model.sampleInputs = try model.quantizeInputs(observed.sample)
            }
        }
        if let reference, model.structure != reference.structure {
            throw ModelError("the model does not match the compiled model's architecture (steps, scales or ranges differ); compile (and set up) again")
        }
        return model
    }
}
