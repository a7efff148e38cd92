import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

@Suite struct PoseidonTests {
    /// Known answers from light-poseidon 0.1.1 (circomlib-compatible), written by Fixtures/poseidon/generate_vectors.py.
    @Test func matchesLightPoseidon() throws {
        let vectors = try Fixtures.json("poseidon/vectors.json") as! [[String: Any]]
        #expect(vectors.count >= 25)
        for vector in vectors {
            let inputs = try (vector["inputs"] as! [String]).map { try Fr(decimal: $0) }
            let expected = try Fr(decimal: vector["hash"] as! String)
            #expect(Poseidon.hash(inputs) == expected, "\(inputs.count) inputs")
        }
    }

    @Test func gadgetMatchesNativeAndRejectsForgedOutput() throws {
        var random = SplitMix64(seed: 21)
        for count in [1, 2, 5, 12] {
            let values = (0..<count).map { _ in Fr.random(using: &random) }
            var builder = ConstraintSystemBuilder()
            let inputs = values.map { FieldSignal(LinearCombination(builder.allocate(.privateInput, value: $0)), value: $0) }
            let before = builder.constraintCount
            let digest = builder.poseidonHash(inputs)
            let parameters = Poseidon.parameters(inputs: count)
            #expect(builder.constraintCount - before == 3 * (8 * parameters.width + parameters.partialRoundCount) + 1)
            #expect(digest.value == Poseidon.hash(values))
            var circuit = Circuit(builder)
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
            circuit[digest.combination.terms[0].wire] += .one
            #expect(!circuit.isSatisfied)
        }
    }
}
