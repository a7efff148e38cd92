import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

/// Rescale, ReLU and constant division: the quotient and the remainder are both constrained.
@Suite struct FixedPointGadgetTests {
    /// Builds q = rescale(x) for a private x; returns the circuit and the ids of q, the remainder bits and q's bits.
    func rescaleCircuit(_ x: Int, shift: Int, bits: Int, rounding: Rounding = .floor, relu: Bool = false) throws
        -> (circuit: Circuit, x: Variable, quotient: Int, remainder: Range<Int>, quotientBits: Range<Int>, output: Signal)
    {
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(x))
        let first = builder.wireCount
        let output = relu
            ? try builder.rescaleReLU(Signal(wire, value: x), shift: shift, rounding: rounding, quotientBits: bits)
            : try builder.rescale(Signal(wire, value: x), shift: shift, rounding: rounding, quotientBits: bits)
        return (Circuit(builder), wire, first, (first + 1)..<(first + 1 + shift), (first + 1 + shift)..<(first + 1 + shift + bits), output)
    }

    @Test func rescaleAgreesWithFloorDivision() throws {
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let shift = Int(random.next() % 12)
            let x = Int(random.next() % (1 << 30)) - (1 << 29)
            for rounding in [Rounding.floor, .halfUp] {
                let built = try rescaleCircuit(x, shift: shift, bits: 32, rounding: rounding)
                let offset = rounding == .halfUp && shift > 0 ? 1 << (shift - 1) : 0
                #expect(built.output.value == floorDivide(x + offset, 1 << shift))
                #expect(FixedPoint.rescale(x, shift: shift, rounding: rounding) == built.output.value)
                #expect(built.circuit.isSatisfied)
            }
        }
        try rescaleCircuit(-77_777, shift: 7, bits: 12).circuit.expectNoFreeWires()
        try rescaleCircuit(12_345, shift: 5, bits: 12, relu: true).circuit.expectNoFreeWires()
    }

    @Test func rescaleRejectsACompensatedQuotient() throws {
        for x in [1000, -1000, 777, -1] {
            let shift = 4
            var built = try rescaleCircuit(x, shift: shift, bits: 12)
            let q = floorDivide(x, 1 << shift)
            // q + 1 with remainder rem − 2^s: rem − 2^s is negative, its low bits are rem's, so the sum breaks.
            built.circuit[built.quotient] = field(q + 1)
            built.circuit.setBits(built.quotientBits, to: field(q + 1 + 2048))
            #expect(!built.circuit.isSatisfied)
            // q − 1 with remainder rem + 2^s, written with a "bit" of value 3 in the top position.
            var other = try rescaleCircuit(x, shift: shift, bits: 12)
            other.circuit[other.quotient] = field(q - 1)
            other.circuit.setBits(other.quotientBits, to: field(q - 1 + 2048))
            let top = other.remainder.upperBound - 1
            other.circuit[top] += Fr(2)
            #expect(!other.circuit.isSatisfied)
        }
    }

    @Test func rescaleRejectsAQuotientWrappedAroundTheField() throws {
        let shift = 6
        let x = 5000
        var built = try rescaleCircuit(x, shift: shift, bits: 12)
        let q = floorDivide(x, 1 << shift)
        let remainder = x - q << shift
        // q' = q − 2^−s and rem' = rem + 1 satisfy x = q'·2^s + rem' in the field; q' is not a 12-bit number.
        let wrapped = field(q) - Fr(2).power(shift).inverse()!
        built.circuit[built.quotient] = wrapped
        built.circuit.setBits(built.remainder, to: field(remainder + 1))
        built.circuit.setBits(built.quotientBits, to: wrapped + Fr(2048))
        #expect(!built.circuit.isSatisfied)
        // The same forgery passes the main constraint alone, so only the quotient's range check stops it.
        let main = built.circuit.r1cs.constraints.first { $0.a.terms.count > 2 && $0.b == .constant(.one) && $0.c.isZero }!
        #expect(main.a.evaluate(built.circuit.witness) == .zero)
    }

    @Test func rescaleRefusesQuotientsOutsideTheirRange() {
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(1 << 20))
        #expect(throws: GadgetError.self) {
            try builder.rescale(Signal(wire, value: 1 << 20), shift: 4, rounding: .floor, quotientBits: 12)
        }
    }

    @Test func reluCannotPassANegativeValue() throws {
        for x in [-4096, -17, -1] {
            var built = try rescaleCircuit(x, shift: 2, bits: 12, relu: true)
            #expect(built.output.value == 0)
            #expect(built.circuit.isSatisfied)
            let q = floorDivide(x, 4)
            let outputWire = built.output.combination.terms[0].wire
            // Pass the negative quotient through.
            built.circuit[outputWire] = field(q)
            #expect(!built.circuit.isSatisfied)
            // ...and also claim the sign bit says non-negative.
            built.circuit[built.quotientBits.upperBound - 1] = .one
            #expect(!built.circuit.isSatisfied)
        }
        for x in [0, 5, 4000] {
            var built = try rescaleCircuit(x, shift: 2, bits: 12, relu: true)
            #expect(built.output.value == x / 4)
            // Claim zero for a positive value.
            built.circuit[built.output.combination.terms[0].wire] = .zero
            #expect(x < 4 || !built.circuit.isSatisfied)
        }
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(-5))
        let output = try builder.relu(Signal(wire, value: -5), bits: 8)
        var circuit = Circuit(builder)
        #expect(output.value == 0 && circuit.isSatisfied)
        try circuit.expectNoFreeWires()
        circuit[output.combination.terms[0].wire] = field(-5)
        #expect(!circuit.isSatisfied)
    }

    @Test func constantDivisionConstrainsTheRemainder() throws {
        var random = SplitMix64(seed: 4)
        for divisor in [3, 9, 10, 49] {
            for _ in 0..<20 {
                let x = Int(random.next() % 20001) - 10000
                var builder = ConstraintSystemBuilder()
                let wire = builder.allocate(.privateInput, value: field(x))
                let first = builder.wireCount
                let q = try builder.divide(Signal(wire, value: x), by: divisor, rounding: .floor, quotientBits: 16)
                var circuit = Circuit(builder)
                #expect(q.value == floorDivide(x, divisor))
                #expect(circuit.isSatisfied)
                try circuit.expectNoFreeWires()
                // q − 1 with remainder rem + divisor: fits the remainder's bits for small rem, but not rem ≤ divisor − 1.
                let remainderBits = BitWidth.unsigned(divisor - 1)
                let remainder = x - q.value * divisor
                circuit[first] = field(q.value - 1)
                circuit.setBits((first + 1)..<(first + 1 + remainderBits), to: field(remainder + divisor))
                let boundStart = first + 1 + remainderBits
                circuit.setBits(boundStart..<(boundStart + remainderBits), to: field(divisor - 1 - remainder - divisor))
                circuit.setBits((boundStart + remainderBits)..<(boundStart + remainderBits + 16), to: field(q.value - 1 + (1 << 15)))
                #expect(!circuit.isSatisfied)
            }
        }
        // Powers of two go through rescale and still round correctly.
        var builder = ConstraintSystemBuilder()
        let q = try builder.divide(.constant(-9), by: 4, rounding: .halfUp, quotientBits: 8)
        #expect(q.value == -2 && Circuit(builder).isSatisfied)
    }
}
