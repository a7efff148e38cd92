import Foundation
import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

/// Max, ArgMax and the piecewise-linear activations.
@Suite struct SelectionGadgetTests {
    func inputs(_ values: [Int], _ builder: inout ConstraintSystemBuilder) -> [Signal] {
        values.map { Signal(builder.allocate(.privateInput, value: field($0)), value: $0) }
    }

    @Test func maximumIsTheLargestInput() throws {
        var random = SplitMix64(seed: 5)
        for count in [2, 3, 4, 9] {
            let values = (0..<count).map { _ in Int(random.next() % 512) - 256 }
            var builder = ConstraintSystemBuilder()
            let signals = inputs(values, &builder)
            let m = try builder.maximum(of: signals, differenceBits: 10)
            #expect(m.value == values.max()!)
            let circuit = Circuit(builder)
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
        }
    }

    /// Rebuilds the maximum gadget with a forged claimed maximum (its bits and products honestly derived from it).
    func forgedMaximum(_ values: [Int], claim: Int) throws -> Bool {
        var builder = ConstraintSystemBuilder()
        let signals = inputs(values, &builder)
        let first = builder.wireCount
        _ = try builder.maximum(of: signals, differenceBits: 10)
        var circuit = Circuit(builder)
        circuit[first] = field(claim)
        var id = first + 1
        for value in values {
            circuit.setBits(id..<(id + 10), to: field(claim - value))
            id += 10
        }
        var running = field(claim - values[0])
        for value in values.dropFirst().dropLast() {
            running *= field(claim - value)
            circuit[id] = running
            id += 1
        }
        return circuit.isSatisfied
    }

    @Test func maximumRejectsForgeries() throws {
        let values = [3, -7, 12, 5]
        #expect(try forgedMaximum(values, claim: 12))
        #expect(try !forgedMaximum(values, claim: 13))  // not one of the inputs
        #expect(try !forgedMaximum(values, claim: 5))   // smaller than 12
        #expect(try !forgedMaximum(values, claim: -7))  // the smallest
    }

    @Test func argmaxTakesTheFirstLargest() throws {
        for (values, expected) in [([1, 5, 3], 1), ([4, 4, 2], 0), ([-3, -1, -1, -2], 1), ([7], 0)] {
            var builder = ConstraintSystemBuilder()
            let index = try builder.argmax(of: inputs(values, &builder), differenceBits: 8)
            #expect(index.value == expected)
            let circuit = Circuit(builder)
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
        }
    }

    /// Forges the one-hot vector to claim `claim` and derives every other wire from that claim.
    func forgedArgmax(_ values: [Int], claim: Int) throws -> Bool {
        var builder = ConstraintSystemBuilder()
        let signals = inputs(values, &builder)
        let first = builder.wireCount
        _ = try builder.argmax(of: signals, differenceBits: 8)
        var circuit = Circuit(builder)
        let n = values.count
        for i in 0..<n { circuit[first + i] = i == claim ? .one : .zero }
        for i in 0..<n { circuit[first + n + i] = i == claim ? field(values[i]) : .zero }
        var id = first + 2 * n
        for i in 0..<n {
            circuit.setBits(id..<(id + 8), to: field(values[claim] - values[i] - (i < claim ? 1 : 0)))
            id += 8
        }
        return circuit.isSatisfied
    }

    @Test func argmaxRejectsAWrongIndex() throws {
        let values = [2, 9, 4, 9, 1]
        #expect(try forgedArgmax(values, claim: 1))
        #expect(try !forgedArgmax(values, claim: 2))  // not the maximum
        #expect(try !forgedArgmax(values, claim: 3))  // a later tie
        #expect(try !forgedArgmax(values, claim: 0))
        // Two hot entries (a non-one-hot "selection") break Σ e = 1.
        var builder = ConstraintSystemBuilder()
        let first = builder.wireCount + values.count
        _ = try builder.argmax(of: inputs(values, &builder), differenceBits: 8)
        var circuit = Circuit(builder)
        circuit[first + 3] = .one
        #expect(!circuit.isSatisfied)
    }

    @Test func auditFindsUnderconstrainedWires() throws {
        // A "rescale" whose quotient and remainder are only tied by x = 16·q + rem (no range checks, the
        // circomlib-ml mistake), and an output that no constraint mentions.
        var builder = ConstraintSystemBuilder()
        let x = builder.allocate(.privateInput, value: field(100))
        let q = builder.allocate(.intermediate, value: field(6))
        let rem = builder.allocate(.intermediate, value: field(4))
        let orphan = builder.allocate(.intermediate, value: field(1))
        builder.enforce(LinearCombination(x) - LinearCombination(q) * Fr(16) - LinearCombination(rem), .constant(.one), LinearCombination())
        let circuit = Circuit(builder)
        #expect(circuit.isSatisfied)
        var random = SplitMix64(seed: 7)
        let report = try UnderconstraintAudit.run(circuit.r1cs, witness: circuit.witness, random: &random)
        let (qWire, remWire) = (circuit.positions[q.id], circuit.positions[rem.id])
        #expect(report.findings.contains(.init(wire: circuit.positions[orphan.id], partner: nil)))
        #expect(report.findings.contains { Set([$0.wire, $0.partner]) == Set([qWire, remWire]) })
        #expect(report.findings.count == 2)
        // With both range-checked, nothing is free.
        var fixed = ConstraintSystemBuilder()
        let x2 = fixed.allocate(.privateInput, value: field(100))
        let q2 = try fixed.rescale(Signal(x2, value: 100), shift: 4, rounding: .floor, quotientBits: 8)
        #expect(q2.value == 6)
        try Circuit(fixed).expectNoFreeWires()
    }
}
