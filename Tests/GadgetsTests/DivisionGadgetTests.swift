import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

/// Division of two activations and the square root: exact relations, with forged quotients, remainders and roots.
@Suite struct DivisionGadgetTests {
    struct Built {
        var circuit: Circuit
        var first: Int
    }

    func division(_ n: Int, _ d: Int, quotientBits: Int = 12, remainderBits: Int = 9) throws -> (Built, Signal) {
        var builder = ConstraintSystemBuilder()
        let numerator = Signal(builder.allocate(.privateInput, value: field(n)), value: n)
        let divisor = Signal(builder.allocate(.privateInput, value: field(d)), value: d)
        let first = builder.wireCount
        let q = try builder.divide(numerator, by: divisor, remainderBits: remainderBits, quotientBits: quotientBits)
        return (Built(circuit: Circuit(builder), first: first), q)
    }

    @Test func divisionRoundsHalfUpExactly() throws {
        for n in stride(from: -300, through: 300, by: 7) {
            for d in [1, 2, 3, 7, 64, 100, 255] {
                let (built, q) = try division(n, d)
                #expect(q.value == floorDivide(2 * n + d, 2 * d), "\(n)/\(d)")
                #expect(built.circuit.isSatisfied)
            }
        }
        try division(-123, 45).0.circuit.expectNoFreeWires()
    }

    /// Writes a claimed quotient and remainder and derives every bit from them.
    func forgedDivision(_ n: Int, _ d: Int, quotient: Int, remainder: Int) throws -> Bool {
        var (built, _) = try division(n, d)
        let f = built.first
        built.circuit[f] = field(quotient)
        built.circuit.setBits((f + 1)..<(f + 13), to: field(quotient + 2048))
        built.circuit.setBits((f + 13)..<(f + 22), to: field(remainder))
        built.circuit.setBits((f + 22)..<(f + 31), to: field(2 * d - 1 - remainder))
        return built.circuit.isSatisfied
    }

    @Test func divisionRejectsForgedQuotientsAndRemainders() throws {
        for (n, d) in [(100, 7), (-100, 7), (45, 9), (0, 5)] {
            let q = floorDivide(2 * n + d, 2 * d)
            let r = 2 * n + d - 2 * d * q
            #expect(try forgedDivision(n, d, quotient: q, remainder: r))
            // Off by one with a compensating remainder: the remainder leaves [0, 2d).
            #expect(try !forgedDivision(n, d, quotient: q + 1, remainder: r - 2 * d))
            #expect(try !forgedDivision(n, d, quotient: q - 1, remainder: r + 2 * d))
            // A remainder equal to the (doubled) divisor.
            #expect(try !forgedDivision(n, d, quotient: q, remainder: 2 * d))
        }
    }

    func root(_ m: Int) throws -> (Built, Signal) {
        var builder = ConstraintSystemBuilder()
        let value = Signal(builder.allocate(.privateInput, value: field(m)), value: m)
        let first = builder.wireCount
        let y = try builder.squareRoot(value, rootBits: 8, differenceBits: 10)
        return (Built(circuit: Circuit(builder), first: first), y)
    }

    @Test func squareRootIsTheFloorOfTheRealRoot() throws {
        for m in 0...4000 where m % 3 == 0 || m < 100 {
            let (built, y) = try root(m)
            #expect(y.value * y.value <= m && (y.value + 1) * (y.value + 1) > m)
            #expect(built.circuit.isSatisfied)
        }
        try root(1234).0.circuit.expectNoFreeWires()
    }

    @Test func squareRootRejectsARootOneTooLargeOrTooSmall() throws {
        for m in [0, 1, 15, 16, 17, 1000, 3999] {
            let (honest, y) = try root(m)
            #expect(honest.circuit.isSatisfied)
            for claim in [y.value + 1, y.value - 1] where claim >= 0 {
                var (built, _) = try root(m)
                let f = built.first
                built.circuit[f] = field(claim)
                built.circuit.setBits((f + 1)..<(f + 9), to: field(claim))
                built.circuit[f + 9] = field(claim * claim)
                built.circuit.setBits((f + 10)..<(f + 20), to: field(m - claim * claim))
                built.circuit.setBits((f + 20)..<(f + 30), to: field(claim * claim + 2 * claim - m))
                #expect(!built.circuit.isSatisfied, "√\(m) claimed \(claim)")
            }
        }
    }
}
