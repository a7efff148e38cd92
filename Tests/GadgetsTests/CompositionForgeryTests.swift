import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

/// Forged witnesses against the gadget compositions the model compiler's steps use (Min, LeakyReLU's branch, a product
/// feeding a rescale, Floor's rounding, ArgMax's selector): each forgery derives every other wire from its false claim,
/// as a cheating prover would, and must leave the system unsatisfied.
@Suite struct CompositionForgeryTests {
    func inputs(_ values: [Int], _ builder: inout ConstraintSystemBuilder) -> [Signal] {
        values.map { Signal(builder.allocate(.privateInput, value: field($0)), value: $0) }
    }

    /// Min is −max(−x): claim `claim` as the minimum, with the differences' bits and products derived from it.
    func forgedMinimum(_ values: [Int], claim: Int) throws -> Bool {
        var builder = ConstraintSystemBuilder()
        let signals = inputs(values, &builder)
        let first = builder.wireCount
        let minimum = try builder.maximum(of: signals.map { $0 * -1 }, differenceBits: 10) * -1
        #expect(minimum.value == values.min()!)
        var circuit = Circuit(builder)
        // The gadget's m is −min; its differences are m − (−xᵢ) = xᵢ − min.
        circuit[first] = field(-claim)
        var id = first + 1
        for value in values {
            circuit.setBits(id..<(id + 10), to: field(value - claim))
            id += 10
        }
        var running = field(values[0] - claim)
        for value in values.dropFirst().dropLast() {
            running *= field(value - claim)
            circuit[id] = running
            id += 1
        }
        return circuit.isSatisfied
    }

    @Test func aForgedMinimumIsRejected() throws {
        let values = [3, -7, 12, 5]
        #expect(try forgedMinimum(values, claim: -7))
        #expect(try !forgedMinimum(values, claim: 3))   // an input, but not the smallest
        #expect(try !forgedMinimum(values, claim: -8))  // below every input
    }

    /// LeakyReLU is α·x + (1 − α)·relu(x): taking the other branch means flipping relu's sign bit.
    @Test func leakyReluCannotTakeTheWrongBranch() throws {
        for x in [6, -6, 100, -1] {
            var builder = ConstraintSystemBuilder()
            let signal = inputs([x], &builder)[0]
            let first = builder.wireCount
            let r = try builder.relu(signal, bits: 8)
            #expect(r.value == max(0, x))
            var circuit = Circuit(builder)
            #expect(circuit.isSatisfied)
            // Claim the other branch: the sign bit flipped, the other bits of x + 128 as they are, the gate recomputed.
            let sign = first + 7
            let flipped = circuit[sign] == .one ? Fr.zero : Fr.one
            circuit[sign] = flipped
            circuit[first + 8] = flipped == .one ? field(x) : .zero
            #expect(!circuit.isSatisfied, "x = \(x)")
            // Or keep every bit honest and only claim relu(x) = x (or 0).
            var other = Circuit(builder)
            other[first + 8] = x > 0 ? .zero : field(x)
            #expect(x == 0 || !other.isSatisfied)
        }
    }

    /// A product of two activations followed by a rescale: raising the product by 2^s to carry the quotient up by one.
    @Test func aCompensatedProductRescaleIsRejected() throws {
        for (a, b) in [(37, -21), (-13, -17), (25, 40)] {
            var builder = ConstraintSystemBuilder()
            let signals = inputs([a, b], &builder)
            let productWire = builder.wireCount
            let product = builder.product(signals[0], signals[1])
            let quotientWire = builder.wireCount
            let q = try builder.rescale(product, shift: 4, rounding: .floor, quotientBits: 12)
            #expect(q.value == floorDivide(a * b, 16))
            var circuit = Circuit(builder)
            #expect(circuit.isSatisfied)
            circuit[productWire] = field(a * b + 16)
            circuit[quotientWire] = field(q.value + 1)
            circuit.setBits((quotientWire + 5)..<(quotientWire + 17), to: field(q.value + 1 + 2048))
            #expect(!circuit.isSatisfied, "\(a)·\(b)")
        }
    }

    /// Floor is a rescale with floor rounding; claiming the round-half-up result instead needs a negative remainder.
    @Test func floorCannotRoundTheOtherWay() throws {
        for x in [-36, -33, 36, 44] {
            var builder = ConstraintSystemBuilder()
            let signal = inputs([x], &builder)[0]
            let quotientWire = builder.wireCount
            let q = try builder.rescale(signal, shift: 3, rounding: .floor, quotientBits: 8)
            #expect(q.value == floorDivide(x, 8))
            let rounded = floorDivide(x + 4, 8)
            guard rounded != q.value else { continue }
            var circuit = Circuit(builder)
            circuit[quotientWire] = field(rounded)
            circuit.setBits((quotientWire + 1)..<(quotientWire + 4), to: field(x - rounded * 8))
            circuit.setBits((quotientWire + 4)..<(quotientWire + 12), to: field(rounded + 128))
            #expect(!circuit.isSatisfied, "x = \(x)")
        }
    }

    /// A selector with entries 2 and −1 sums to one and passes every range check; only booleanity stops it.
    @Test func argmaxRejectsANonBooleanSelector() throws {
        let values = [5, 9, 1]
        var builder = ConstraintSystemBuilder()
        let signals = inputs(values, &builder)
        let first = builder.wireCount
        let index = try builder.argmax(of: signals, differenceBits: 8)
        #expect(index.value == 1)
        var circuit = Circuit(builder)
        let selector = [-1, 2, 0]
        let maximum = zip(selector, values).reduce(0) { $0 + $1.0 * $1.1 }  // 13, above every input
        for i in 0..<3 {
            circuit[first + i] = field(selector[i])
            circuit[first + 3 + i] = field(selector[i] * values[i])
        }
        var seen = 0
        var id = first + 6
        for i in 0..<3 {
            seen += selector[i]
            circuit.setBits(id..<(id + 8), to: field(maximum - values[i] - (1 - seen)))
            id += 8
        }
        // Every constraint but the selector's booleanity holds: the claimed index Σ i·eᵢ is 2.
        let failing = circuit.r1cs.constraints.indices.filter { index in
            let c = circuit.r1cs.constraints[index]
            return c.a.evaluate(circuit.witness) * c.b.evaluate(circuit.witness) != c.c.evaluate(circuit.witness)
        }
        #expect(failing.count == 2, "only the two non-boolean entries should fail, got \(failing)")
    }
}
