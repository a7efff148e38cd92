import Algebra
import ConstraintSystem
import Foundation
import ModelCompiler
import Testing
import TestSupport

func randomTensor(_ shape: [Int], scale: Double, _ random: inout SplitMix64) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, values: (0..<count).map { _ in (Double(random.next() % 20001) / 10000 - 1) * scale })
}

func randomInput(_ model: Model, _ random: inout SplitMix64) -> [Double] {
    let range = model.inputRange
    return (0..<model.inputShape.reduce(1, *)).map { _ in
        range.lowerBound + Double(random.next() % 10001) / 10000 * (range.upperBound - range.lowerBound)
    }
}

/// Compiles `model` and checks, on random inputs, everything the compiler promises:
/// the circuit's values equal the integer interpreter's at every layer, the witness satisfies the R1CS, every layer's
/// float and integer outputs agree within the layer's stated error bound, the system does not depend on the input,
/// and the audit finds no free wire.
@discardableResult
func checkModel(
    _ model: Model, settings: CompilerSettings = CompilerSettings(), weights: WeightVisibility = .fixed, samples: Int = 4, seed: UInt64 = 1,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (QuantizedModel, LoweredModel) {
    var random = SplitMix64(seed: seed)
    let quantized = try Quantizer.quantize(model, settings: settings, weights: weights)
    var firstSystem: R1CS?
    var last: LoweredModel?
    for sample in 0..<samples {
        let input = randomInput(model, &random)
        let integerInput = try quantized.quantizeInput(input)
        let floats = try FloatInterpreter.run(model, input: input)
        let integers = try IntegerInterpreter.run(quantized, input: integerInput)
        let visibility: InputVisibility = sample % 2 == 0 ? .private : .public
        let lowered = try Lowering.lower(quantized, input: integerInput, inputVisibility: visibility)
        try lowered.r1cs.checkSatisfied(by: lowered.witness)
        for layer in quantized.layers {
            #expect(lowered.tensors[layer.output] == integers[layer.output], "layer \(layer.name): circuit and interpreter differ",
                    sourceLocation: sourceLocation)
            guard layer.output != quantized.outputName || !quantized.outputIsIndex else { continue }
            let unit = Double(1 << layer.outputScale)
            let worst = zip(integers[layer.output]!, floats[layer.output]!).map { abs(Double($0) / unit - $1) }.max() ?? 0
            #expect(worst <= layer.errorBound, "layer \(layer.name): error \(worst) above the bound \(layer.errorBound)",
                    sourceLocation: sourceLocation)
        }
        #expect(lowered.output == integers[quantized.outputName], sourceLocation: sourceLocation)
        let publicOutputs = lowered.witness[1...quantized.outputCount].map { $0 }
        #expect(publicOutputs == lowered.output.map { Fr(signed: $0) }, sourceLocation: sourceLocation)
        if visibility == .public {
            #expect(lowered.r1cs.publicInputCount == quantized.inputCount + (weights == .hashed ? 1 : 0), sourceLocation: sourceLocation)
        } else {
            #expect(lowered.r1cs.publicInputCount == (weights == .hashed ? 1 : 0), sourceLocation: sourceLocation)
            #expect(lowered.r1cs.privateInputCount == quantized.inputCount + quantized.committedParameters.count, sourceLocation: sourceLocation)
        }
        if let firstSystem, visibility == .private {
            #expect(firstSystem.constraints == lowered.r1cs.constraints, "the system changed with the input", sourceLocation: sourceLocation)
        } else if visibility == .private {
            firstSystem = lowered.r1cs
        }
        last = lowered
    }
    var auditRandom = SplitMix64(seed: seed &+ 17)
    let report = try UnderconstraintAudit.run(last!.r1cs, witness: last!.witness, random: &auditRandom)
    #expect(report.findings.isEmpty, "free wires: \(report.findings.prefix(5))", sourceLocation: sourceLocation)
    #expect(report.wiresChecked > 0, sourceLocation: sourceLocation)
    return (quantized, last!)
}

func model(_ name: String, input shape: [Int], range: ClosedRange<Double> = -1...1, _ nodes: [Node]) -> Model {
    Model(name: name, inputName: "x", inputShape: shape, inputRange: range, nodes: nodes, output: nodes.last!.output)
}

func node(_ name: String, _ operation: NodeOperation, _ inputs: [String], _ output: String) -> Node {
    Node(name: name, operation: operation, inputs: inputs, output: output)
}
