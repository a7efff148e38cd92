import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// q = floor((x + offset) / divisor) for a constant divisor, as a new wire, constrained by
    /// x + offset = q·divisor + rem with 0 ≤ rem < divisor (two range checks) and q in the signed
    /// `quotientBits` range. Powers of two use the cheaper rescale.
    public mutating func divide(
        _ x: Signal, by divisor: Int, rounding: Rounding, quotientBits: Int
    ) throws(GadgetError) -> Signal {
        precondition(divisor >= 1, "division by a non-positive constant")
        if divisor & (divisor - 1) == 0 {
            return try rescale(x, shift: divisor.trailingZeroBitCount, rounding: rounding, quotientBits: quotientBits)
        }
        let shifted = x + rounding.offset(divisor: divisor)
        let quotientValue = FixedPoint.divide(x.value, by: divisor, rounding: rounding)
        let remainderValue = shifted.value - quotientValue * divisor
        let quotient = Signal(allocate(.intermediate, value: Fr(signed: quotientValue)), value: quotientValue)
        let remainderBits = BitWidth.unsigned(divisor - 1)
        let (_, remainderCombination) = try allocateBits(of: remainderValue, bits: remainderBits, gadget: "division remainder")
        let remainder = Signal(remainderCombination, value: remainderValue)
        // rem ≤ divisor − 1, so rem < divisor.
        try enforceUnsignedRange(Signal.constant(divisor - 1) - remainder, bits: remainderBits, gadget: "division remainder bound")
        enforce(shifted.combination - quotient.combination * Fr(UInt64(divisor)) - remainder.combination, .constant(.one), LinearCombination())
        try enforceSignedRange(quotient, bits: quotientBits, gadget: "division quotient")
        return quotient
    }
}
