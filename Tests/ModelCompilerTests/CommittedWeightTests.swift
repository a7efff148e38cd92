import Algebra
import ConstraintSystem
import Foundation
import Gadgets
import Groth16
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// Hashed weights: private parameters bound to a public Poseidon commitment; the circuit depends only on the
/// architecture, so a retrained model reuses the keys.
@Suite struct CommittedWeightTests {
    func network(seed: UInt64, weightScale: Double = 0.5) -> Graph {
        var random = SplitMix64(seed: seed)
        var b = GraphBuilder("committed", inputs: [("x", [1, 1, 5, 5])], range: 0...1)
        let conv = b.node("Conv", ["x", b.random([2, 1, 3, 3], scale: weightScale, &random), b.random([2], scale: 0.1, &random)],
                          ["pads": .ints([1, 1, 1, 1])], name: "conv")
        let parameters = [[1.2, 0.8], [0.1, -0.1], [0.0, 0.1], [0.9, 1.1]].map { b.constant(Tensor(shape: [2], elements: $0)) }
        let norm = b.node("BatchNormalization", [conv] + parameters, name: "bn")
        let relu = b.node("Relu", [norm], name: "relu")
        let pool = b.node("MaxPool", [relu], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])], name: "pool")
        let flat = b.node("Flatten", [pool], name: "flat")
        b.output(b.node("Gemm", [flat, b.random([3, 8], scale: weightScale, &random), b.random([3], scale: 0.1, &random)],
                        ["transB": .int(1)], name: "fc"))
        return b.graph
    }

    func prepared(_ graph: Graph) throws -> PreparedGraph { try Declutter.run(try FoldConstants.run(graph)) }

    @Test func committedLayersAreSoundAndAgreeWithTheInterpreter() throws {
        let (_, model, _) = try checkModel(network(seed: 1), weights: .hashed, samples: 2)
        // Conv weight and the folded bias, then the Gemm's weight and bias: every parameter tensor is committed.
        #expect(model.parameters.map(\.values.count) == [18, 2, 24, 3])
        try checkModel(network(seed: 1), weights: .private, samples: 2)
    }

    @Test func retrainedWeightsReuseTheKeysAndCommitmentsBindTheModel() throws {
        let original = try Quantization.quantize(prepared(network(seed: 1)), weights: .hashed)
        let retrained = try Quantization.quantize(prepared(network(seed: 2)), matching: original)
        #expect(original.committedParameters != retrained.committedParameters)
        let input = try original.quantizeInputs([Array(repeating: 0.5, count: 25)])
        let first = try Lowering.lower(original, inputs: input)
        let second = try Lowering.lower(retrained, inputs: input)
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
        let original = try Quantization.quantize(prepared(network(seed: 1)), weights: .hashed)
        var other = network(seed: 3)
        other.nodes.removeLast()
        other.outputs = ["flat"]
        #expect(throws: ModelError.self) { try Quantization.quantize(prepared(other), matching: original) }
        // Weights four times larger exceed the one bit of headroom the circuit keeps.
        #expect(throws: ModelError.self) { try Quantization.quantize(prepared(network(seed: 1, weightScale: 2.0)), matching: original) }
        // Nearly twice as large still fit.
        _ = try Quantization.quantize(prepared(network(seed: 1, weightScale: 0.9)), matching: original)
    }

    @Test func hashedInputsAreCommittedLikeWeights() throws {
        let model = try Quantization.quantize(prepared(network(seed: 1)), visibility: ["x": .hashed])
        let input = try model.quantizeInputs([Array(repeating: 0.25, count: 25)])
        let lowered = try Lowering.lower(model, inputs: input)
        try lowered.r1cs.checkSatisfied(by: lowered.witness)
        #expect(lowered.r1cs.publicInputCount == 1)
        #expect(lowered.witness[lowered.r1cs.publicCount] == WeightCommitment.commit(input[0]))
        var forged = lowered.witness
        forged[lowered.r1cs.publicCount] += .one
        #expect(!lowered.r1cs.isSatisfied(by: forged))
    }

    @Test func hashedCost() throws {
        let report = try CostReport.of(Quantization.quantize(prepared(network(seed: 1)), weights: .hashed))
        print(report.table)
        #expect(report.layers.contains { $0.name == "commitment" })
    }
}
