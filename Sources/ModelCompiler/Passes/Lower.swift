import Algebra
import ConstraintSystem
import Gadgets
import ModelIR

/// What one step (or the inputs, outputs or commitment) adds to the circuit.
public struct LayerCost: Sendable, Hashable, Codable {
    public var name: String
    public var operations: String
    public var outputShape: [Int]
    public var constraints: Int
    public var wires: Int
    /// The bit widths the layer's range checks use, in words.
    public var bitWidths: String
}

/// A quantized model lowered to R1CS, with the witness for one set of inputs.
public struct LoweredModel: Sendable {
    public var r1cs: R1CS
    public var witness: [Fr]
    /// Each output's integers as the circuit computes them (the public outputs), in output order.
    public var outputs: [[Int]]
    /// Every materialized tensor's integers, by tensor id.
    public var values: [[Int]]
    public var costs: [LayerCost]
}

/// The lowering pass: allocates inputs and parameters, lowers every step, and exposes the outputs.
///
/// Public signals, in circom order: every output (row-major, in output order), then the public inputs (in input order),
/// then one Poseidon commitment per hashed input (in input order), then the weight commitment when weights are hashed.
/// Every input element is range-checked; the constraints never depend on the values.
public enum Lowering {
    public static func lower(_ model: QuantizedModel, inputs: [[Int]]) throws(ModelError) -> LoweredModel {
        try IntegerInterpreter.validate(inputs, for: model)
        var builder = ConstraintSystemBuilder()
        var costs: [LayerCost] = []
        func record(_ name: String, _ operations: String, _ shape: [Int], _ bits: String, since start: (Int, Int)) {
            costs.append(LayerCost(
                name: name, operations: operations, outputShape: shape, constraints: builder.constraintCount - start.0,
                wires: builder.wireCount - start.1, bitWidths: bits))
        }
        var signals = [[Signal]](repeating: [], count: model.tensors.count)
        var hashedInputs: [[FieldSignal]] = []
        for (input, values) in zip(model.inputs, inputs) {
            let start = (builder.constraintCount, builder.wireCount)
            let range = model.tensors[input.tensor].range
            let bits = BitWidth.unsigned(range.upperBound - range.lowerBound)
            var wires: [Signal] = []
            wires.reserveCapacity(values.count)
            for value in values {
                let wire = Signal(builder.allocate(input.visibility == .public ? .publicInput : .privateInput, value: Fr(signed: value)), value: value)
                try gadget(input.name) { () throws(GadgetError) in
                    try builder.enforceUnsignedRange(wire - range.lowerBound, bits: bits, gadget: "input range")
                }
                wires.append(wire)
            }
            signals[input.tensor] = wires
            if input.visibility == .hashed { hashedInputs.append(wires.map(FieldSignal.init)) }
            record(input.name, "input (\(input.visibility.rawValue)), range check", input.shape, "\(bits)b", since: start)
        }
        var committed: [FieldSignal] = []
        for parameter in model.parameters {
            let start = (builder.constraintCount, builder.wireCount)
            var wires: [Signal] = []
            for value in parameter.values {
                let wire = Signal(builder.allocate(.privateInput, value: Fr(signed: value)), value: value)
                try gadget(parameter.name) { () throws(GadgetError) in
                    try builder.enforceSignedRange(wire, bits: parameter.bits, gadget: "parameter range")
                }
                wires.append(wire)
            }
            committed += wires.map(FieldSignal.init)
            signals[parameter.tensor] = wires
            record(parameter.name, "parameters (\(model.weightVisibility.rawValue))", model.tensors[parameter.tensor].shape,
                   "\(parameter.bits)b @2^-\(parameter.scale)", since: start)
        }
        for step in model.steps {
            let start = (builder.constraintCount, builder.wireCount)
            let semantics = step.kind.semantics
            do {
                signals[step.output] = try semantics.lower(signals, &builder)
            } catch {
                // An input beyond a calibrated range fails its range check here: name the tensor and the value.
                try IntegerInterpreter.checkRange(step, semantics.evaluate(signals.map { $0.map(\.value) }), in: model)
                throw ModelError(node: step.name, "\(error)")
            }
            record(step.name, step.operations, model.tensors[step.output].shape, semantics.summary, since: start)
        }
        for (input, wires) in zip(model.inputs.filter { $0.visibility == .hashed }, hashedInputs) {
            let start = (builder.constraintCount, builder.wireCount)
            commit(wires, &builder)
            record(input.name, "input commitment (poseidon chain)", [1], "-", since: start)
        }
        if model.weightVisibility == .hashed {
            let start = (builder.constraintCount, builder.wireCount)
            commit(committed, &builder)
            record("commitment", "poseidon chain (\(committed.count) parameters)", [1], "-", since: start)
        }
        let start = (builder.constraintCount, builder.wireCount)
        var outputs: [[Int]] = []
        for output in model.outputs {
            for signal in signals[output.tensor] {
                let wire = builder.allocate(.publicOutput, value: Fr(signed: signal.value))
                builder.enforce(signal.combination, .constant(.one), LinearCombination(wire))
            }
            outputs.append(signals[output.tensor].map(\.value))
        }
        record("outputs", "public outputs", [model.outputCount], "-", since: start)
        let (r1cs, witness) = builder.build()
        return LoweredModel(r1cs: r1cs, witness: witness!, outputs: outputs, values: signals.map { $0.map(\.value) }, costs: costs)
    }

    /// h₀ = Poseidon([n]), then hₖ₊₁ = Poseidon([hₖ, up to 11 values]); the last h becomes a public input.
    private static func commit(_ values: [FieldSignal], _ builder: inout ConstraintSystemBuilder) {
        var digest = builder.poseidonHash([FieldSignal(.constant(Fr(UInt64(values.count))), value: Fr(UInt64(values.count)))])
        var index = 0
        while index < values.count {
            digest = builder.poseidonHash([digest] + values[index..<min(index + WeightCommitment.chunkSize, values.count)])
            index += WeightCommitment.chunkSize
        }
        let commitment = builder.allocate(.publicInput, value: digest.value)
        builder.enforce(digest.combination, .constant(.one), LinearCombination(commitment))
    }

    private static func gadget(_ name: String, _ body: () throws(GadgetError) -> Void) throws(ModelError) {
        do { try body() } catch { throw ModelError(node: name, "\(error)") }
    }
}

/// The exact integer semantics of a quantized model; the circuit proves exactly this computation.
public enum IntegerInterpreter {
    /// Every materialized tensor's integers, by tensor id; `inputs` are already quantized, one array per input.
    public static func run(_ model: QuantizedModel, inputs: [[Int]]) throws(ModelError) -> [[Int]] {
        try validate(inputs, for: model)
        var values = [[Int]](repeating: [], count: model.tensors.count)
        for (input, integers) in zip(model.inputs, inputs) { values[input.tensor] = integers }
        for parameter in model.parameters { values[parameter.tensor] = parameter.values }
        for step in model.steps {
            values[step.output] = step.kind.semantics.evaluate(values)
            try checkRange(step, values[step.output], in: model)
        }
        return values
    }

    /// Every value within the range the circuit proves for it. With proven ranges this always holds; with calibrated
    /// ones an input can exceed them, and says so here rather than as an unsatisfied range check.
    static func checkRange(_ step: Step, _ values: [Int], in model: QuantizedModel) throws(ModelError) {
        let tensor = model.tensors[step.output]
        guard let index = values.firstIndex(where: { !tensor.range.contains($0) }) else { return }
        let unit = Double(sign: .plus, exponent: tensor.scale, significand: 1)
        let value = Double(values[index]) / unit
        let bounds = "\(Double(tensor.range.lowerBound) / unit)...\(Double(tensor.range.upperBound) / unit)"
        if let margin = model.settings.rangeMargin {
            throw ModelError(node: step.name, "this input drives '\(tensor.name)' to \(value) (element \(index)), outside the range the circuit checks, \(bounds) (calibrated: \(margin) times the largest value the calibration samples gave); compile with samples like this input, a larger --range-margin, or --ranges proven")
        }
        throw ModelError(node: step.name, "'\(tensor.name)' reaches \(value) (element \(index)), outside its proven range \(bounds): a compiler bug, please report it")
    }

    /// Each output's integers.
    public static func outputs(_ model: QuantizedModel, inputs: [[Int]]) throws(ModelError) -> [[Int]] {
        let values = try run(model, inputs: inputs)
        return model.outputs.map { values[$0.tensor] }
    }

    static func validate(_ inputs: [[Int]], for model: QuantizedModel) throws(ModelError) {
        guard inputs.count == model.inputs.count else { throw ModelError("the model has \(model.inputs.count) inputs, \(inputs.count) given") }
        for (input, values) in zip(model.inputs, inputs) {
            guard values.count == Shape.count(input.shape) else {
                throw ModelError("input '\(input.name)' has \(values.count) values, the model expects \(Shape.count(input.shape)) (shape \(input.shape))")
            }
            let range = model.tensors[input.tensor].range
            if let index = values.firstIndex(where: { !range.contains($0) }) {
                throw ModelError("input '\(input.name)': quantized value \(values[index]) at index \(index) is outside the proven range \(range)")
            }
        }
    }
}

/// Runs the prepared graph in double precision: the numbers the user expects.
public enum FloatInterpreter {
    /// Every tensor's values by name; `inputs` holds one flat array per graph input, in input order.
    public static func run(_ prepared: PreparedGraph, inputs: [[Double]]) throws(ModelError) -> [String: Operand] {
        let graph = prepared.graph
        guard inputs.count == graph.inputs.count else { throw ModelError("the model has \(graph.inputs.count) inputs, \(inputs.count) given") }
        var values: [String: Operand] = [:]
        for (name, constant) in graph.constants { values[name] = Operand(constant) }
        for (input, flat) in zip(graph.inputs, inputs) {
            guard flat.count == input.type.count else {
                throw ModelError("input '\(input.name)' has \(flat.count) values, the model expects \(input.type.count) (shape \(input.type.shape))")
            }
            values[input.name] = input.type.elementType == .float
                ? .float(Tensor(shape: input.type.shape, elements: flat))
                : .integer(Tensor(shape: input.type.shape, elements: flat.map { Int(constant: $0) }), input.type.elementType)
        }
        for node in graph.nodes + prepared.dropped {
            let op = OperatorTable.lookup(node.type)!
            let outputs = try op.evaluate(node, node.inputs.map { $0.isEmpty ? nil : values[$0] })
            for (name, output) in zip(node.outputs, outputs) where !name.isEmpty { values[name] = output }
        }
        return values
    }

    /// The reference values of each output of `model` (the logits where a final Softmax was dropped), flat.
    public static func outputs(_ prepared: PreparedGraph, _ model: QuantizedModel, inputs: [[Double]]) throws(ModelError) -> [[Double]] {
        let values = try run(prepared, inputs: inputs)
        return model.outputs.map { values[$0.reference]?.doubles.elements ?? [] }
    }
}
