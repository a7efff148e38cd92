import Algebra
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

/// The polynomial table (Exp, Gelu, Sigmoid, ...) and the logarithm: their circuits compute the integer semantics,
/// leave no free wire, and reject a forged output, segment, clamp branch, exponent or mantissa.
@Suite struct FunctionTableGadgetTests {
    /// 4 segments of 8 inputs on −16...15, degree 2, both tails.
    static let table = PolynomialTable(
        lowerBound: -16, upperBound: 15, segmentLog: 3,
        coefficients: [[-900, 40, 3], [300, 90, -5], [1000, 70, 1], [2200, -20, 4]], shift: 6, lowerSlope: 64, upperSlope: 32)
    static let inputBits = 9
    static let outputBits = 12

    func build(_ x: Int) throws -> (Circuit, Signal, first: Int) {
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(x))
        let first = builder.wireCount
        let y = try builder.polynomialTable(
            Signal(wire, value: x), table: Self.table, clampLower: true, clampUpper: true, inputBits: Self.inputBits, outputBits: Self.outputBits)
        return (Circuit(builder), y, first)
    }

    @Test func theCircuitComputesTheTableEverywhere() throws {
        for x in -100...100 {
            let (circuit, y, _) = try build(x)
            #expect(y.value == Self.table.evaluate(x))
            #expect(circuit.isSatisfied)
            if x % 17 == 0 { try circuit.expectNoFreeWires() }
        }
        // The semantics: the tails continue from the ends with their slopes.
        #expect(Self.table.accumulator(-20) == Self.table.accumulator(-16) - 4 * 64)
        #expect(Self.table.accumulator(21) == Self.table.accumulator(15) + 6 * 32)
    }

    /// Claims y + 1 with the rescale's remainder and quotient bits derived from the claim.
    @Test func aForgedOutputIsRejected() throws {
        for x in [-40, -16, -3, 0, 7, 15, 33] {
            var (circuit, y, _) = try build(x)
            let output = y.combination.terms[0].wire
            let claim = y.value + 1
            circuit[output] = field(claim)
            let accumulator = Self.table.accumulator(x) + 32
            circuit.setBits((output + 1)..<(output + 1 + Self.table.shift), to: field(accumulator - claim << Self.table.shift))
            let rangeStart = output + 1 + Self.table.shift
            circuit.setBits(rangeStart..<(rangeStart + Self.outputBits), to: field(claim + 1 << (Self.outputBits - 1)))
            #expect(!circuit.isSatisfied, "x = \(x)")
        }
    }

    /// Moves the one-hot to the next segment and re-derives the step's bits from it.
    @Test func anotherSegmentIsRejected() throws {
        let bits = max(Self.inputBits, BitWidth.signed(-16...15)) + 1
        for x in [-12, -1, 3, 9] {
            var (circuit, _, first) = try build(x)
            let oneHot = first + 2 * (bits + 1)
            let segment = (x + 16) >> 3
            let other = segment == 3 ? 2 : segment + 1
            circuit[oneHot + segment] = .zero
            circuit[oneHot + other] = .one
            circuit.setBits((oneHot + 4)..<(oneHot + 4 + 3), to: field(x + 16 - other << 3))
            #expect(!circuit.isSatisfied, "x = \(x)")
        }
    }

    /// Below the table, claims the input is above its lower end: the comparison's sign bit set, its product re-derived.
    @Test func theWrongClampBranchIsRejected() throws {
        let bits = max(Self.inputBits, BitWidth.signed(-16...15)) + 1
        for x in [-17, -30, -200] {
            var (circuit, _, first) = try build(x)
            circuit[first + bits - 1] = .one
            circuit[first + bits] = field(x + 16)
            #expect(!circuit.isSatisfied, "x = \(x)")
        }
    }

    static let logarithm = LogarithmTable(
        exponents: 2...9, mantissaBits: 5,
        table: PolynomialTable(lowerBound: 32, upperBound: 63, segmentLog: 3, coefficients: [[0, 30, 0], [200, 25, 0], [370, 20, 0], [520, 18, 0]],
                               shift: 4, lowerSlope: 0, upperSlope: 0),
        exponentTerms: (2...9).map { $0 * 700 })

    func buildLogarithm(_ s: Int) throws -> (Circuit, Signal, first: Int) {
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(s))
        let first = builder.wireCount
        let y = try builder.logarithm(Signal(wire, value: s), table: Self.logarithm, outputBits: 16)
        return (Circuit(builder), y, first)
    }

    @Test func theLogarithmNormalizesEveryInput() throws {
        for s in 4..<1024 {
            let (circuit, y, _) = try buildLogarithm(s)
            #expect(y.value == Self.logarithm.evaluate(s))
            let e = Int.bitWidth - 1 - s.leadingZeroBitCount
            let t = Self.logarithm.mantissa(s)
            #expect(t >> 5 == 1 && (t << e) >> 5 <= s && s < ((t + 1) << e) >> 5 + 1, "mantissa of \(s)")
            #expect(circuit.isSatisfied)
            if s % 97 == 0 { try circuit.expectNoFreeWires() }
        }
        var builder = ConstraintSystemBuilder()
        let wire = builder.allocate(.privateInput, value: field(3))
        #expect(throws: GadgetError.self) { try builder.logarithm(Signal(wire, value: 3), table: Self.logarithm, outputBits: 16) }
    }

    /// Claims the exponent one higher or lower, with both range checks' bits re-derived from the claim.
    @Test func aForgedExponentIsRejected() throws {
        for s in [5, 64, 100, 1000] {
            let e = Int.bitWidth - 1 - s.leadingZeroBitCount
            for claim in [e - 1, e + 1] where Self.logarithm.exponents.contains(claim) {
                var (circuit, _, first) = try buildLogarithm(s)
                circuit[first + e - 2] = .zero
                circuit[first + claim - 2] = .one
                let checks = first + Self.logarithm.exponents.count
                let bits = 10
                circuit.setBits(checks..<(checks + bits), to: field(s - 1 << claim))
                circuit.setBits((checks + bits)..<(checks + 2 * bits), to: field(2 << claim - 1 - s))
                #expect(!circuit.isSatisfied, "s = \(s), exponent \(claim)")
            }
        }
    }
}
