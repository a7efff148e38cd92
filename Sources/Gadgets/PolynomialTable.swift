import Algebra
import ConstraintSystem

/// A real function as integers: on lowerBound...upperBound a polynomial per segment of 2^segmentLog inputs, beyond
/// it linear tails from the end values. The integer semantics of Exp, Erf, Gelu, Sigmoid, Tanh and the rest.
///
/// y = floor((Σⱼ A[s][j]·lʲ + upperSlope·above − lowerSlope·below + 2^(shift−1)) / 2^shift), where the clamped input's
/// offset from lowerBound splits as s·2^segmentLog + l, and above/below are the distances by which x leaves the table.
public struct PolynomialTable: Sendable, Hashable, Codable {
    public var lowerBound: Int
    public var upperBound: Int
    public var segmentLog: Int
    /// coefficients[s][j] multiplies lʲ; every segment has degree + 1 coefficients.
    public var coefficients: [[Int]]
    /// Fractional bits of the coefficients and slopes.
    public var shift: Int
    public var lowerSlope: Int
    public var upperSlope: Int

    public init(lowerBound: Int, upperBound: Int, segmentLog: Int, coefficients: [[Int]], shift: Int, lowerSlope: Int, upperSlope: Int) {
        precondition(lowerBound <= upperBound && (0..<40).contains(segmentLog) && (0...62).contains(shift))
        precondition(coefficients.count == (upperBound - lowerBound) >> segmentLog + 1, "one coefficient row per segment")
        precondition(Set(coefficients.map(\.count)).count == 1 && coefficients[0].count >= 1)
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.segmentLog = segmentLog
        self.coefficients = coefficients
        self.shift = shift
        self.lowerSlope = lowerSlope
        self.upperSlope = upperSlope
    }

    public var segmentCount: Int { coefficients.count }
    public var degree: Int { coefficients[0].count - 1 }

    /// The accumulator before the final rounding.
    @inlinable
    public func accumulator(_ x: Int) -> Int {
        let clamped = min(max(x, lowerBound), upperBound)
        let offset = clamped - lowerBound
        let segment = offset >> segmentLog
        let step = offset - segment << segmentLog
        var sum = 0
        var power = 1
        for coefficient in coefficients[segment] {
            sum += coefficient * power
            power *= step
        }
        return sum + upperSlope * max(0, x - upperBound) - lowerSlope * max(0, lowerBound - x)
    }

    /// The integer the gadget proves.
    @inlinable
    public func evaluate(_ x: Int) -> Int { FixedPoint.rescale(accumulator(x), shift: shift, rounding: .halfUp) }
}

extension ConstraintSystemBuilder {
    /// table(x), constrained. Where x can leave the table (per `clampLower`/`clampUpper`) it is clamped by a comparison
    /// (inputBits + 2 constraints each) whose excess feeds the tail; the clamped offset splits as segment·2^segmentLog +
    /// step with a one-hot segment (segments + 1 constraints) and 0 ≤ step < 2^segmentLog; the powers of the step and
    /// their products with the segment's coefficients cost 2·degree − 1; the rounding costs shift + outputBits + 2.
    /// `inputBits` bounds x (signed), `outputBits` the result (signed). `offset` joins the accumulator before the
    /// rounding (the logarithm's exponent term).
    public mutating func polynomialTable(
        _ x: Signal, table: PolynomialTable, clampLower: Bool, clampUpper: Bool, inputBits: Int, outputBits: Int,
        offset accumulatorOffset: Signal = .constant(0)
    ) throws(GadgetError) -> Signal {
        let bits = max(inputBits, BitWidth.signed(table.lowerBound...table.upperBound)) + 1
        var clamped = x
        var accumulator = accumulatorOffset
        if clampLower {
            // below = max(x, lower) − x
            let raised = try atLeast(x, table.lowerBound, bits: bits)
            accumulator = accumulator - (raised - x) * table.lowerSlope
            clamped = raised
        }
        if clampUpper {
            // above = c − min(c, upper)
            let lowered = try atMost(clamped, table.upperBound, bits: bits)
            accumulator = accumulator + (clamped - lowered) * table.upperSlope
            clamped = lowered
        }
        let offset = clamped - table.lowerBound
        let segmentValue = offset.value >> table.segmentLog
        guard (0..<table.segmentCount).contains(segmentValue) else {
            throw GadgetError(gadget: "table input", value: clamped.value, bits: bits, signed: true)
        }
        let oneHot = (0..<table.segmentCount).map { Signal(allocateBit($0 == segmentValue), value: $0 == segmentValue ? 1 : 0) }
        enforce(Signal.sum(oneHot).combination, .constant(.one), .constant(.one))
        let step = offset - Signal.weightedSum(oneHot, weights: (0..<table.segmentCount).map { $0 << table.segmentLog })
        if table.segmentLog == 0 {
            enforce(step.combination, .constant(.one), LinearCombination())
        } else {
            try enforceUnsignedRange(step, bits: table.segmentLog, gadget: "table step")
        }
        accumulator = accumulator + Signal.weightedSum(oneHot, weights: table.coefficients.map { $0[0] })
        var power = step
        for degree in 1...max(1, table.degree) where degree <= table.degree {
            if degree > 1 { power = product(power, step) }
            let coefficient = Signal.weightedSum(oneHot, weights: table.coefficients.map { $0[degree] })
            accumulator = accumulator + product(coefficient, power)
        }
        guard table.shift > 0 else {
            try enforceSignedRange(accumulator, bits: outputBits, gadget: "table output")
            return accumulator
        }
        return try rescale(accumulator, shift: table.shift, rounding: .halfUp, quotientBits: outputBits)
    }
}
