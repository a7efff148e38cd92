import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

@Suite struct BitGadgetTests {
    @Test func booleanRejectsAnythingButZeroAndOne() {
        for (value, accepted) in [(Fr.zero, true), (.one, true), (Fr(2), false), (-Fr.one, false)] {
            var builder = ConstraintSystemBuilder()
            let bit = builder.allocateBit(true)
            var circuit = Circuit(builder)
            circuit[bit] = value
            #expect(circuit.isSatisfied == accepted, "bit = \(value)")
        }
    }

    @Test func rangeCheckAcceptsExactlyTheRange() throws {
        var random = SplitMix64(seed: 1)
        for bits in [1, 5, 16, 40] {
            for _ in 0..<20 {
                let value = Int(random.next() >> UInt64(64 - bits))
                var builder = ConstraintSystemBuilder()
                let wire = builder.allocate(.privateInput, value: field(value))
                let first = builder.wireCount
                try builder.enforceUnsignedRange(Signal(wire, value: value), bits: bits)
                var circuit = Circuit(builder)
                #expect(circuit.isSatisfied)
                try circuit.expectNoFreeWires()
                // 2^bits + value: the low bits agree, so the recomposition must fail.
                circuit[wire] = field(value) + Fr(2).power(bits)
                #expect(!circuit.isSatisfied)
                // A negative value wraps to a huge field element: no bit pattern of `bits` bits recomposes to it.
                circuit[wire] = field(-1 - value)
                circuit.setBits(first..<(first + bits), to: field(-1 - value))
                #expect(!circuit.isSatisfied)
                // Forging with a non-boolean top "bit" makes the recomposition work but breaks booleanity.
                circuit[wire] = field(value) + Fr(2).power(bits)
                circuit.setBits(first..<(first + bits), to: field(value))
                circuit[first + bits - 1] += Fr(2)
                #expect(!circuit.isSatisfied)
            }
        }
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(256))
        #expect(throws: GadgetError.self) { try builder.enforceUnsignedRange(Signal(wire, value: 256), bits: 8) }
        #expect(throws: GadgetError.self) { try builder.enforceUnsignedRange(Signal(wire, value: -1), bits: 8) }
    }

    @Test func signedRangeCheckAndSignBit() throws {
        for value in [-128, -1, 0, 1, 127] {
            var builder = ConstraintSystemBuilder()
            let wire = builder.allocate(.privateInput, value: field(value))
            let sign = try builder.enforceSignedRange(Signal(wire, value: value), bits: 8)
            let circuit = Circuit(builder)
            #expect(circuit.isSatisfied)
            #expect(circuit[sign] == (value >= 0 ? .one : .zero))
        }
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(128))
        #expect(throws: GadgetError.self) { try builder.enforceSignedRange(Signal(wire, value: 128), bits: 8) }
        #expect(throws: GadgetError.self) { try builder.enforceSignedRange(Signal(wire, value: -129), bits: 8) }
    }

    @Test func comparisonBitCannotBeFlipped() throws {
        var random = SplitMix64(seed: 2)
        for _ in 0..<50 {
            let a = Int(random.next() % 2001) - 1000
            let b = Int(random.next() % 2001) - 1000
            var builder = ConstraintSystemBuilder()
            let first = builder.wireCount
            let less = try builder.isLessThan(.constant(a), .constant(b), bits: 12)
            var circuit = Circuit(builder)
            #expect(less.value == (a < b ? 1 : 0))
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
            // Flip the sign bit (the top bit of a − b + 2^11): the recomposition breaks.
            circuit[first + 11] = circuit[first + 11] == .one ? .zero : .one
            #expect(!circuit.isSatisfied)
        }
    }

    @Test func comparisonAtTheBoundaryCannotBeForged() throws {
        // x = 0 exactly (a feature equal to its threshold): the bit is 1, and claiming 0 breaks the recomposition.
        for x in [-1, 0, 1] {
            var builder = ConstraintSystemBuilder()
            let first = builder.wireCount
            let bit = try builder.isNonNegative(.constant(x), bits: 8)
            var circuit = Circuit(builder)
            #expect(bit.value == (x >= 0 ? 1 : 0))
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
            circuit[first + 7] = circuit[first + 7] == .one ? .zero : .one
            #expect(!circuit.isSatisfied)
        }
    }

    @Test func isZeroHasOneWitnessAndNoForgery() throws {
        var random = SplitMix64(seed: 4)
        for x in [0, 1, -1, 7, -300, 1 << 40] {
            var builder = ConstraintSystemBuilder()
            let input = builder.allocate(.privateInput, value: field(x))
            let first = builder.wireCount
            let zero = builder.isZero(Signal(input, value: x))
            let circuit = Circuit(builder)
            #expect(zero.value == (x == 0 ? 1 : 0))
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
            // The inverse wire is first, the bit second: a flipped bit fails whatever inverse the prover picks.
            let honestInverse = circuit[first]
            for candidate in [Fr.zero, .one, honestInverse, Fr(random.next() % 1_000_000)] {
                var forged = circuit
                forged[first] = candidate
                forged[first + 1] = x == 0 ? .zero : .one
                #expect(!forged.isSatisfied, "x = \(x): a forged bit passed")
            }
            // A non-boolean bit fails too.
            var forged = circuit
            forged[first + 1] = Fr(2)
            #expect(!forged.isSatisfied)
        }
    }

    @Test func clampMatchesMinMax() throws {
        for x in [-300, -100, -1, 0, 5, 99, 100, 101, 400] {
            var builder = ConstraintSystemBuilder()
            let wire = builder.allocate(.privateInput, value: field(x))
            let clamped = try builder.clamp(Signal(wire, value: x), lower: -100, upper: 100, bits: 11)
            let circuit = Circuit(builder)
            #expect(clamped.value == min(max(x, -100), 100))
            #expect(circuit.isSatisfied)
            try circuit.expectNoFreeWires()
        }
    }
}
