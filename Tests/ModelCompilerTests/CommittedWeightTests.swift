import Algebra
import ConstraintSystem
import Foundation
import Gadgets
import Groth16
import ModelCompiler
import Testing
import TestSupport

/// Hashed weights: private parameters bound to a public Poseidon commitment; the circuit depends only on the
/// architecture, so a retrained model reuses the keys.
@Suite struct CommittedWeightTests {
    func network(seed: UInt64, weightScale: Double = 0.5) -> Model {
        var random = SplitMix64(seed: seed)
        let norm = NodeOperation.batchNorm(scale: [1.2, 0.8], bias: [0.1, -0.1], mean: [0.0, 0.1], variance: [0.9, 1.1], epsilon: 1e-5)
        return model("committed", input: [1, 5, 5], range: 0...1, [
            node("conv", .conv2d(weight: randomTensor([2, 1, 3, 3], scale: weightScale, &random), bias: randomTensor([2], scale: 0.1, &random),
                                 geometry: WindowGeometry(kernel: [3, 3], pads: [1, 1, 1, 1])), ["x"], "c"),
            node("bn", norm, ["c"], "n"), node("relu", .relu, ["n"], "r"),
            node("pool", .maxPool(WindowGeometry(kernel: [2, 2], strides: [2, 2])), ["r"], "p"),
            node("flat", .flatten, ["p"], "f"),
            node("fc", .dense(weight: randomTensor([3, 8], scale: weightScale, &random), bias: randomTensor([3], scale: 0.1, &random)), ["f"], "y"),
        ])
    }

    @Test func committedLayersAreSoundAndAgreeWithTheInterpreter() throws {
        try checkModel(network(seed: 1), weights: .hashed, samples: 2)
        try checkModel(network(seed: 1), weights: .private, samples: 2)
    }

    @Test func retrainedWeightsReuseTheKeysAndCommitmentsBindTheModel() throws {
        let original = try Quantizer.quantize(network(seed: 1), weights: .hashed)
        let retrained = try Quantizer.quantize(network(seed: 2), matching: original)
        #expect(original.committedParameters != retrained.committedParameters)
        let input = try original.quantizeInput(Array(repeating: 0.5, count: 25))
        let first = try Lowering.lower(original, input: input, inputVisibility: .private)
        let second = try Lowering.lower(retrained, input: input, inputVisibility: .private)
        #expect(first.r1cs == second.r1cs, "retraining changed the circuit")

        // The commitment is the last public signal and follows the documented recipe.
        let commitmentA = first.witness[first.r1cs.publicCount]
        let commitmentB = second.witness[second.r1cs.publicCount]
        #expect(commitmentA == WeightCommitment.commit(original.committedParameters))
        #expect(commitmentB == WeightCommitment.commit(retrained.committedParameters))
        #expect(commitmentA != commitmentB)

        let key = try Groth16.setup(first.r1cs)
        let proofA = try Groth16.prove(key: key, witness: first.witness)
        let proofB = try Groth16.prove(key: key, witness: second.witness)
        let signalsA = Array(first.witness[1...first.r1cs.publicCount])
        let signalsB = Array(second.witness[1...second.r1cs.publicCount])
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: signalsA, proof: proofA))
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: signalsB, proof: proofB))
        // A proof under one commitment does not verify under the other.
        var swapped = signalsB
        swapped[swapped.count - 1] = commitmentA
        #expect(try !Groth16.verify(key: key.verifyingKey, publicSignals: swapped, proof: proofB))
        // Nor can a witness claim model A's commitment while using model B's weights.
        var forged = second.witness
        forged[second.r1cs.publicCount] = commitmentA
        #expect(!second.r1cs.isSatisfied(by: forged))
    }

    @Test func aDifferentArchitectureOrOversizedWeightsAreRefused() throws {
        let original = try Quantizer.quantize(network(seed: 1), weights: .hashed)
        var other = network(seed: 3)
        other.nodes.removeLast()
        other.output = "f"
        #expect(throws: ModelError.self) { try Quantizer.quantize(other, matching: original) }
        // Weights four times larger exceed the one bit of headroom the circuit keeps.
        #expect(throws: ModelError.self) { try Quantizer.quantize(network(seed: 1, weightScale: 2.0), matching: original) }
        // Twice as large still fit.
        let doubled = network(seed: 1, weightScale: 0.9)
        _ = try Quantizer.quantize(doubled, matching: original)
    }

    @Test func hashedMLPCost() throws {
        let report = try CostReport.of(Quantizer.quantize(network(seed: 1), weights: .hashed), inputVisibility: .private)
        print(report.table)
        #expect(report.layers.contains { $0.name == "commitment" })
    }
}
