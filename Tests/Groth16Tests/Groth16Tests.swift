import Algebra
import ConstraintSystem
import Curves
import Groth16
import Testing
import TestSupport

/// y = x^3 + x + 5 with y public output, plus a public input z with z = x * x (to have two publics).
func cubicCircuit(x: UInt64) -> (R1CS, [Fr]) {
    var builder = ConstraintSystemBuilder()
    let xValue = Fr(x)
    let y = builder.allocate(.publicOutput, value: xValue * xValue * xValue + xValue + Fr(5))
    let z = builder.allocate(.publicInput, value: xValue * xValue)
    let xVar = builder.allocate(.privateInput, value: xValue)
    let cube = builder.allocate(.intermediate, value: xValue * xValue * xValue)
    builder.enforce(LinearCombination(xVar), LinearCombination(xVar), LinearCombination(z))
    builder.enforce(LinearCombination(z), LinearCombination(xVar), LinearCombination(cube))
    builder.enforce(LinearCombination(cube) + LinearCombination(xVar) + .constant(Fr(5)), .constant(.one), LinearCombination(y))
    let (r1cs, witness) = builder.build()
    return (r1cs, witness!)
}

@Suite struct ConstraintSystemTests {
    @Test func builderOrdersWiresLikeCircom() {
        let (r1cs, witness) = cubicCircuit(x: 3)
        #expect(r1cs.publicOutputCount == 1 && r1cs.publicInputCount == 1 && r1cs.privateInputCount == 1)
        #expect(r1cs.wireCount == 5)
        #expect(witness == [.one, Fr(35), Fr(9), Fr(3), Fr(27)])
        #expect(r1cs.isSatisfied(by: witness))
    }

    @Test func unsatisfiedWitnessNamesTheConstraint() {
        let (r1cs, witness) = cubicCircuit(x: 3)
        var forged = witness
        forged[1] = Fr(36)  // claim a wrong output
        #expect(throws: R1CS.WitnessError.unsatisfied(constraint: 2, a: Fr(35), b: .one, c: Fr(36))) {
            try r1cs.checkSatisfied(by: forged)
        }
        var badFirst = witness
        badFirst[0] = Fr(2)
        #expect(throws: R1CS.WitnessError.firstWireNotOne) { try r1cs.checkSatisfied(by: badFirst) }
        #expect(throws: R1CS.WitnessError.wrongLength(expected: 5, actual: 4)) {
            try r1cs.checkSatisfied(by: Array(witness.dropLast()))
        }
    }

    @Test func linearCombinationsMergeTerms() {
        let combination = LinearCombination([.init(wire: 2, coefficient: Fr(3)), .init(wire: 1, coefficient: Fr(4)),
                                             .init(wire: 2, coefficient: -Fr(3))])
        #expect(combination.terms == [.init(wire: 1, coefficient: Fr(4))])
    }
}

@Suite struct Groth16Tests {
    /// A key whose sections or coefficients disagree with its header is refused, and the message names the problem.
    @Test func malformedKeyShapesAreRejected() throws {
        var rng = SplitMix64(seed: 5)
        let key = try Groth16.setup(cubicCircuit(x: 3).0, using: &rng)
        func expectMalformed(_ fragment: String, _ edit: (inout ProvingKey) -> Void) {
            var broken = key
            edit(&broken)
            do {
                try broken.validateShape()
                Issue.record("expected a malformed-key error containing '\(fragment)'")
            } catch {
                #expect("\(error)".contains(fragment), "\(error)")
            }
        }
        expectMalformed("H has 7 points, expected 8") { $0.h.removeLast() }
        expectMalformed("B2 has") { $0.b2.append(.infinity) }
        expectMalformed("coefficient wire \(key.wireCount) is outside 0..<\(key.wireCount)") {
            $0.coefficients[0] = MatrixEntry(matrix: .a, constraint: 0, wire: key.wireCount, value: .one)
        }
        expectMalformed("coefficient row 8 is outside the domain of size 8") {
            $0.coefficients[1] = MatrixEntry(matrix: .b, constraint: 8, wire: 0, value: .one)
        }
    }

    @Test func proveAndVerify() throws {
        var rng = SplitMix64(seed: 1)
        let (r1cs, witness) = cubicCircuit(x: 3)
        let key = try Groth16.setup(r1cs, using: &rng)
        try key.validateShape()
        #expect(key.domainSize == 8)  // 3 constraints + 2 public + 1
        let proof = try Groth16.prove(key: key, witness: witness, using: &rng)
        let publicSignals = Array(witness[1...2])
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: publicSignals, proof: proof))
        // A second proof of the same statement uses fresh blinding and differs, and also verifies.
        let second = try Groth16.prove(key: key, witness: witness, using: &rng)
        #expect(second != proof)
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: publicSignals, proof: second))
    }

    @Test func wrongStatementsAndTamperedProofsAreRejected() throws {
        var rng = SplitMix64(seed: 2)
        let (r1cs, witness) = cubicCircuit(x: 4)
        let key = try Groth16.setup(r1cs, using: &rng)
        let proof = try Groth16.prove(key: key, witness: witness, using: &rng)
        let vk = key.verifyingKey
        #expect(try !Groth16.verify(key: vk, publicSignals: [witness[1] + .one, witness[2]], proof: proof))
        #expect(try !Groth16.verify(key: vk, publicSignals: [witness[2], witness[1]], proof: proof))
        var tampered = proof
        tampered.a = (proof.a.jacobian + BN254G1.generator).affine
        #expect(try !Groth16.verify(key: vk, publicSignals: [witness[1], witness[2]], proof: tampered))
        tampered = proof
        tampered.c = -proof.c
        #expect(try !Groth16.verify(key: vk, publicSignals: [witness[1], witness[2]], proof: tampered))
        #expect(throws: Groth16Error.publicInputCount(expected: 2, actual: 1)) {
            try Groth16.verify(key: vk, publicSignals: [witness[1]], proof: proof)
        }
    }

    @Test func forgedWitnessGivesAProofThatFails() throws {
        var rng = SplitMix64(seed: 3)
        let (r1cs, witness) = cubicCircuit(x: 5)
        let key = try Groth16.setup(r1cs, using: &rng)
        var forged = witness
        forged[1] = forged[1] + .one  // a false output
        #expect(!r1cs.isSatisfied(by: forged))
        let proof = try Groth16.prove(key: key, witness: forged, using: &rng)
        #expect(try !Groth16.verify(key: key.verifyingKey, publicSignals: Array(forged[1...2]), proof: proof))
        #expect(throws: Groth16Error.self) { try Groth16.prove(key: key, witness: Array(witness.dropLast()), using: &rng) }
    }

    @Test func largerCircuitWithBitsVerifies() throws {
        // 200 boolean wires b_i with b_i * (1 - b_i) = 0 and a public sum.
        var rng = SplitMix64(seed: 4)
        var builder = ConstraintSystemBuilder()
        let bits = (0..<200).map { _ in rng.next() & 1 }
        let total = builder.allocate(.publicOutput, value: Fr(bits.reduce(0, +)))
        var sum = LinearCombination()
        for bit in bits {
            let variable = builder.allocate(.privateInput, value: Fr(bit))
            builder.enforce(LinearCombination(variable), .constant(.one) - LinearCombination(variable), LinearCombination())
            sum = sum + LinearCombination(variable)
        }
        builder.enforce(sum, .constant(.one), LinearCombination(total))
        let (r1cs, witness) = builder.build()
        let key = try Groth16.setup(r1cs, using: &rng)
        let proof = try Groth16.prove(key: key, witness: witness!, using: &rng)
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: [witness![1]], proof: proof))
        // A non-boolean "bit" that keeps the sum: 2 and 0 in place of 1 and 1 breaks b(1-b) = 0.
        var forged = witness!
        let ones = (2..<forged.count).filter { forged[$0] == .one }
        forged[ones[0]] = Fr(2)
        forged[ones[1]] = .zero
        #expect(throws: R1CS.WitnessError.self) { try r1cs.checkSatisfied(by: forged) }
        let forgedProof = try Groth16.prove(key: key, witness: forged, using: &rng)
        #expect(try !Groth16.verify(key: key.verifyingKey, publicSignals: [forged[1]], proof: forgedProof))
    }
}

@Suite struct DomainLimitTests {
    @Test func domainsStopWhereTheCosetStillExists() throws {
        #expect(Groth16.maximumDomainLogSize == 27)
        #expect(try Groth16.domainLogSize(constraintCount: (1 << 27) - 4, publicCount: 3) == 27)
        #expect(throws: Groth16Error.circuitTooLarge(constraints: 1 << 27)) {
            try Groth16.domainLogSize(constraintCount: 1 << 27, publicCount: 0)
        }
        #expect(try Groth16.domainLogSize(constraintCount: 0, publicCount: 0) == 1)  // snarkjs's minimum of 2
    }
}
