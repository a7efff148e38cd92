import Algebra
import ConstraintSystem

/// How a division by 2^s (or by a constant) rounds.
public enum Rounding: String, Sendable, Codable {
    /// floor(x / d): an arithmetic shift.
    case floor
    /// floor(x / d + 1/2): round half up, the default for fixed-point rescaling.
    case halfUp

    /// The constant added before a floor division by `divisor`.
    public func offset(divisor: Int) -> Int { self == .floor ? 0 : divisor / 2 }
}

/// Integer semantics shared by the gadgets and the reference interpreter.
public enum FixedPoint {
    /// floor((x + offset) / 2^shift), the value the rescale gadget proves.
    @inlinable
    public static func rescale(_ x: Int, shift: Int, rounding: Rounding) -> Int {
        shift == 0 ? x : (x + rounding.offset(divisor: 1 << shift)) >> shift
    }

    /// floor(√m) for m ≥ 0, exact beyond Double's precision.
    public static func squareRoot(_ m: Int) -> Int {
        var root = Int(Double(m).squareRoot())
        while root * root > m { root -= 1 }
        while (root + 1) * (root + 1) <= m { root += 1 }
        return root
    }

    /// floor((x + offset) / divisor) for a positive divisor.
    @inlinable
    public static func divide(_ x: Int, by divisor: Int, rounding: Rounding) -> Int {
        let numerator = x + rounding.offset(divisor: divisor)
        let quotient = numerator / divisor
        return numerator % divisor < 0 ? quotient - 1 : quotient
    }
}

extension ConstraintSystemBuilder {
    /// q = floor((x + offset) / 2^shift) as a new wire, with both halves constrained:
    /// x + offset = q·2^shift + rem, 0 ≤ rem < 2^shift (bits), and q in the signed `quotientBits` range (bits).
    /// Returns q and its sign bit (1 when q ≥ 0). Costs shift + quotientBits + 2 constraints.
    public mutating func rescaleWithSign(
        _ x: Signal, shift: Int, rounding: Rounding, quotientBits: Int
    ) throws(GadgetError) -> (quotient: Signal, nonNegative: Variable) {
        precondition((0...62).contains(shift) && shift + quotientBits <= maximumRangeBits, "rescale shift out of range")
        let shifted = x + rounding.offset(divisor: 1 << shift)
        let quotientValue = shifted.value >> shift
        let remainderValue = shifted.value - (quotientValue << shift)
        let quotient = Signal(allocate(.intermediate, value: Fr(signed: quotientValue)), value: quotientValue)
        let (_, remainder) = try allocateBits(of: remainderValue, bits: shift, gadget: "rescale remainder")
        // x + offset − q·2^shift − rem = 0
        enforce(shifted.combination - quotient.combination * Fr(UInt64(1) << UInt64(shift)) - remainder, .constant(.one), LinearCombination())
        let sign = try enforceSignedRange(quotient, bits: quotientBits, gadget: "rescale quotient")
        return (quotient, sign)
    }

    /// floor((x + offset) / 2^shift), constrained as in `rescaleWithSign`.
    public mutating func rescale(_ x: Signal, shift: Int, rounding: Rounding, quotientBits: Int) throws(GadgetError) -> Signal {
        try rescaleWithSign(x, shift: shift, rounding: rounding, quotientBits: quotientBits).quotient
    }

    /// max(0, floor((x + offset) / 2^shift)): the rescale's sign bit gates the quotient (one more constraint).
    public mutating func rescaleReLU(_ x: Signal, shift: Int, rounding: Rounding, quotientBits: Int) throws(GadgetError) -> Signal {
        let (quotient, sign) = try rescaleWithSign(x, shift: shift, rounding: rounding, quotientBits: quotientBits)
        return gate(quotient, by: sign)
    }

    /// max(0, x) for x in the signed `bits` range. Costs bits + 2 constraints.
    public mutating func relu(_ x: Signal, bits: Int) throws(GadgetError) -> Signal {
        let sign = try enforceSignedRange(x, bits: bits, gadget: "relu input")
        return gate(x, by: sign)
    }

    /// bit · x as a new wire (one constraint).
    public mutating func gate(_ x: Signal, by bit: Variable) -> Signal {
        let bitValue = value(of: bit) == .one
        let product = bitValue ? x.value : 0
        let output = allocate(.intermediate, value: Fr(signed: product))
        enforce(LinearCombination(bit), x.combination, LinearCombination(output))
        return Signal(output, value: product)
    }
}
