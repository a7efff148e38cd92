import Algebra
import ConstraintSystem
import Gadgets

/// Whether the model input is a public signal or part of the private witness.
public enum InputVisibility: String, Sendable, Hashable, Codable, CaseIterable {
    case `public`, `private`
}

/// What one layer adds to the circuit.
public struct LayerCost: Sendable, Hashable, Codable {
    public var name: String
    public var operations: String
    public var outputShape: [Int]
    public var constraints: Int
    public var wires: Int
    /// The bit widths the layer's range checks use, in words.
    public var bitWidths: String
}

/// A quantized model lowered to R1CS, with the witness for one input.
public struct LoweredModel: Sendable {
    public var r1cs: R1CS
    public var witness: [Fr]
    /// The integer outputs as the circuit computes them (the public outputs).
    public var output: [Int]
    /// Every tensor's values as the circuit computed them, by name.
    public var tensors: [String: [Int]]
    public var costs: [LayerCost]
}

/// Lowers a quantized model to R1CS.
///
/// Public signals, in circom order: the model outputs (row-major; a single class index after ArgMax), then the
/// input elements (row-major) when the input is public, then the weight commitment when weights are hashed.
/// Fixed weights are circuit constants, so linear layers cost nothing but their rescale; committed weights are
/// range-checked private inputs and cost one product per term. Every input element is range-checked; the
/// constraints never depend on values.
public enum Lowering {
    public static func lower(_ model: QuantizedModel, input: [Int], inputVisibility: InputVisibility) throws(ModelError) -> LoweredModel {
        try IntegerInterpreter.validate(input, for: model)
        var builder = ConstraintSystemBuilder()
        var costs: [LayerCost] = []
        let rounding = model.settings.rounding
        func record(_ name: String, _ operations: String, _ shape: [Int], _ bits: String, since start: (Int, Int)) {
            costs.append(LayerCost(
                name: name, operations: operations, outputShape: shape, constraints: builder.constraintCount - start.0,
                wires: builder.wireCount - start.1, bitWidths: bits))
        }
        var signals: [String: [Signal]] = [:]
        var start = (builder.constraintCount, builder.wireCount)
        let inputBits = BitWidth.unsigned(model.inputRange.upperBound - model.inputRange.lowerBound)
        var inputSignals: [Signal] = []
        for value in input {
            let wire = builder.allocate(inputVisibility == .public ? .publicInput : .privateInput, value: Fr(signed: value))
            let signal = Signal(wire, value: value)
            try gadget("input") { () throws(GadgetError) in
                try builder.enforceUnsignedRange(signal - model.inputRange.lowerBound, bits: inputBits, gadget: "input range")
            }
            inputSignals.append(signal)
        }
        signals[model.inputName] = inputSignals
        record("input", "range check (\(inputVisibility.rawValue))", model.inputShape, "\(inputBits)b", since: start)

        /// A linear layer's output: its accumulator rescaled, with the ReLU fused when there is one.
        func rescale(_ accumulator: Signal, _ shift: Int, _ quotientBits: Int, _ relu: Bool) throws(GadgetError) -> Signal {
            relu
                ? try builder.rescaleReLU(accumulator, shift: shift, rounding: rounding, quotientBits: quotientBits)
                : try builder.rescale(accumulator, shift: shift, rounding: rounding, quotientBits: quotientBits)
        }
        var committed: [FieldSignal] = []
        for layer in model.layers {
            start = (builder.constraintCount, builder.wireCount)
            let x = signals[layer.inputs[0]]!
            var output: [Signal] = []
            let bits: String
            do throws(GadgetError) {
                switch layer.kind {
                case let .linear(map, weightScale, shift, quotientBits, relu):
                    output.reserveCapacity(map.rows.count)
                    for (row, bias) in zip(map.rows, map.bias) {
                        let accumulator = Signal.weightedSum(row.map { x[$0.index] }, weights: row.map(\.weight), constant: bias)
                        output.append(try rescale(accumulator, shift, quotientBits, relu))
                    }
                    bits = "w \(model.settings.weightBits)b@2^-\(weightScale), rem \(shift)b, q \(quotientBits)b"
                case let .committedLinear(structure, parameters, weightScale, weightBits, biasBits, shift, quotientBits, relu):
                    var wires: [Signal] = []
                    for (index, value) in parameters.enumerated() {
                        let wire = Signal(builder.allocate(.privateInput, value: Fr(signed: value)), value: value)
                        try builder.enforceSignedRange(wire, bits: index < structure.weightCount ? weightBits : biasBits, gadget: "weight range")
                        wires.append(wire)
                    }
                    committed += wires.map(FieldSignal.init)
                    for (row, bias) in zip(structure.rows, structure.bias) {
                        let products = row.map { builder.product(wires[$0.parameter], x[$0.input]) }
                        output.append(try rescale(Signal.sum(products + [wires[bias]]), shift, quotientBits, relu))
                    }
                    bits = "w \(weightBits)b@2^-\(weightScale) private, b \(biasBits)b, rem \(shift)b, q \(quotientBits)b"
                case let .relu(width):
                    for signal in x { output.append(try builder.relu(signal, bits: width)) }
                    bits = "sign \(width)b"
                case let .maxPool(windows, differenceBits):
                    for window in windows { output.append(try builder.maximum(of: window.map { x[$0] }, differenceBits: differenceBits)) }
                    bits = "diff \(differenceBits)b"
                case let .averagePool(windows, divisors, quotientBits):
                    for (window, divisor) in zip(windows, divisors) {
                        let sum = Signal.sum(window.map { x[$0] })
                        output.append(try builder.divide(sum, by: divisor, rounding: rounding, quotientBits: quotientBits))
                    }
                    bits = "q \(quotientBits)b, divisors \(Set(divisors).sorted())"
                case .reshape:
                    output = x
                    bits = "-"
                case let .add(left, right):
                    output = zip(x, signals[layer.inputs[1]]!).map { $0 * left + $1 * right }
                    bits = "-"
                case let .activation(_, table, inputWidth, outputWidth):
                    for signal in x {
                        output.append(try builder.piecewiseLinear(signal, table: table, inputBits: inputWidth, outputBits: outputWidth))
                    }
                    bits = "in \(inputWidth)b, out \(outputWidth)b, \(table.segmentCount) segments"
                case let .argmax(differenceBits):
                    output = [try builder.argmax(of: x, differenceBits: differenceBits)]
                    bits = "diff \(differenceBits)b"
                }
            } catch {
                throw ModelError(node: layer.name, "\(error)")
            }
            signals[layer.output] = output
            record(layer.name, layer.operations, layer.outputShape, bits, since: start)
        }

        if model.weightVisibility == .hashed {
            start = (builder.constraintCount, builder.wireCount)
            var digest = builder.poseidonHash([FieldSignal(.constant(Fr(UInt64(committed.count))), value: Fr(UInt64(committed.count)))])
            var index = 0
            while index < committed.count {
                digest = builder.poseidonHash([digest] + committed[index..<min(index + WeightCommitment.chunkSize, committed.count)])
                index += WeightCommitment.chunkSize
            }
            let commitment = builder.allocate(.publicInput, value: digest.value)
            builder.enforce(digest.combination, .constant(.one), LinearCombination(commitment))
            record("commitment", "poseidon chain (\(committed.count) parameters)", [1], "-", since: start)
        }
        start = (builder.constraintCount, builder.wireCount)
        let outputs = signals[model.outputName]!
        for signal in outputs {
            let wire = builder.allocate(.publicOutput, value: Fr(signed: signal.value))
            builder.enforce(signal.combination, .constant(.one), LinearCombination(wire))
        }
        record("output", "public outputs", model.outputShape, "-", since: start)
        let (r1cs, witness) = builder.build()
        return LoweredModel(
            r1cs: r1cs, witness: witness!, output: outputs.map(\.value),
            tensors: signals.mapValues { $0.map(\.value) }, costs: costs)
    }

    private static func gadget(_ name: String, _ body: () throws(GadgetError) -> Void) throws(ModelError) {
        do { try body() } catch { throw ModelError(node: name, "\(error)") }
    }
}
