import Algebra
import ConstraintSystem

/// ln as integers: s ≥ 1 splits as 2^e·(t/2^mantissaBits) with a one-hot exponent e and a truncated mantissa t in
/// [2^mantissaBits, 2^(mantissaBits+1)); ln s/2^inputScale = (e − inputScale)·ln 2 + ln(t/2^mantissaBits), the second
/// term from a `PolynomialTable` over t and the first added to its accumulator as `exponentTerms[e − exponents.lowerBound]`.
public struct LogarithmTable: Sendable, Hashable, Codable {
    /// Every e = ⌊log₂ s⌋ the input range allows.
    public var exponents: ClosedRange<Int>
    public var mantissaBits: Int
    /// ln(t/2^mantissaBits) in the output units, scaled by 2^table.shift.
    public var table: PolynomialTable
    /// (e − inputScale)·ln 2 per exponent, in the output units scaled by 2^table.shift.
    public var exponentTerms: [Int]

    public init(exponents: ClosedRange<Int>, mantissaBits: Int, table: PolynomialTable, exponentTerms: [Int]) {
        precondition(exponents.lowerBound >= 0 && exponentTerms.count == exponents.count && mantissaBits >= 1)
        self.exponents = exponents
        self.mantissaBits = mantissaBits
        self.table = table
        self.exponentTerms = exponentTerms
    }

    /// ⌊log₂ s⌋ for s ≥ 1.
    @inlinable
    public static func exponent(of s: Int) -> Int { Int.bitWidth - 1 - s.leadingZeroBitCount }

    /// The width s is normalized to before truncation: s·2^(width − e) ∈ [2^width, 2^(width+1)).
    public var width: Int { max(exponents.upperBound, mantissaBits) }

    /// The truncated mantissa of s ≥ 1.
    @inlinable
    public func mantissa(_ s: Int) -> Int {
        let e = Self.exponent(of: s)
        return (s << (width - e)) >> (width - mantissaBits)
    }

    /// The integer the gadget proves, for s in 2^exponents.lowerBound ..< 2^(exponents.upperBound + 1).
    @inlinable
    public func evaluate(_ s: Int) -> Int {
        let e = Self.exponent(of: s)
        let accumulator = table.accumulator(mantissa(s)) + exponentTerms[e - exponents.lowerBound]
        return FixedPoint.rescale(accumulator, shift: table.shift, rounding: .halfUp)
    }
}

extension ConstraintSystemBuilder {
    /// table(s), constrained: a one-hot e with 2^e ≤ s < 2^(e+1) (exponents + 1 constraints and two range checks of
    /// exponents.upperBound + 1 bits), n = s·2^(width − e) (one product), t = ⌊n / 2^(width − mantissaBits)⌋ (a rescale),
    /// then the mantissa table with the exponent's term in its accumulator.
    public mutating func logarithm(_ s: Signal, table: LogarithmTable, outputBits: Int) throws(GadgetError) -> Signal {
        let e = s.value > 0 ? LogarithmTable.exponent(of: s.value) : -1
        guard table.exponents.contains(e) else {
            throw GadgetError(gadget: "logarithm input", value: s.value, bits: table.exponents.upperBound + 1, signed: false)
        }
        let choices = Array(table.exponents)
        let oneHot = choices.map { Signal(allocateBit($0 == e), value: $0 == e ? 1 : 0) }
        enforce(Signal.sum(oneHot).combination, .constant(.one), .constant(.one))
        let power = Signal.weightedSum(oneHot, weights: choices.map { 1 << $0 })
        let bits = table.exponents.upperBound + 1
        try enforceUnsignedRange(s - power, bits: bits, gadget: "logarithm exponent")
        try enforceUnsignedRange(power * 2 - 1 - s, bits: bits, gadget: "logarithm exponent")
        let normalized = product(s, Signal.weightedSum(oneHot, weights: choices.map { 1 << (table.width - $0) }))
        let truncation = table.width - table.mantissaBits
        let mantissa = truncation == 0
            ? normalized
            : try rescale(normalized, shift: truncation, rounding: .floor, quotientBits: table.mantissaBits + 2)
        return try polynomialTable(
            mantissa, table: table.table, clampLower: false, clampUpper: false, inputBits: table.mantissaBits + 2, outputBits: outputBits,
            offset: Signal.weightedSum(oneHot, weights: table.exponentTerms))
    }
}
