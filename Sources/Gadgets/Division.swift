import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// q = round half up of n / d for a divisor proven positive (d ≥ 1 for every input in range):
    /// 2n + d = 2d·q + rem with 0 ≤ rem < 2d (rem and 2d − 1 − rem in `remainderBits` bits) and q in its signed
    /// `quotientBits` range. n, d and q are far below the field size, so the relation holds over the integers and q is
    /// the only quotient. Costs 1 + 2·(remainderBits + 1) + quotientBits + 1 constraints.
    public mutating func divide(
        _ n: Signal, by d: Signal, remainderBits: Int, quotientBits: Int
    ) throws(GadgetError) -> Signal {
        precondition(d.value >= 1, "the divisor must be proven positive")
        let numerator = n * 2 + d
        let twice = 2 * d.value
        let quotientValue = FixedPoint.divide(numerator.value, by: twice, rounding: .floor)
        let remainderValue = numerator.value - twice * quotientValue
        let quotient = Signal(allocate(.intermediate, value: Fr(signed: quotientValue)), value: quotientValue)
        try enforceSignedRange(quotient, bits: quotientBits, gadget: "division quotient")
        let (_, remainderCombination) = try allocateBits(of: remainderValue, bits: remainderBits, gadget: "division remainder")
        let remainder = Signal(remainderCombination, value: remainderValue)
        // rem ≤ 2d − 1
        try enforceUnsignedRange(d * 2 - 1 - remainder, bits: remainderBits, gadget: "division remainder bound")
        // (2d)·q = 2n + d − rem
        enforce(d.combination * Fr(2), quotient.combination, (numerator - remainder).combination)
        return quotient
    }

    /// y = floor(√m) for m ≥ 0: y² ≤ m ≤ y² + 2y (two range checks of `differenceBits`), y in `rootBits` unsigned bits.
    /// Costs 1 + rootBits + 1 + 2·(differenceBits + 1) constraints.
    public mutating func squareRoot(_ m: Signal, rootBits: Int, differenceBits: Int) throws(GadgetError) -> Signal {
        precondition(m.value >= 0, "the square root of a negative value")
        let rootValue = FixedPoint.squareRoot(m.value)
        let root = Signal(allocate(.intermediate, value: Fr(signed: rootValue)), value: rootValue)
        try enforceUnsignedRange(root, bits: rootBits, gadget: "square root")
        let square = product(root, root)
        try enforceUnsignedRange(m - square, bits: differenceBits, gadget: "square root lower bound")
        try enforceUnsignedRange(square + root * 2 - m, bits: differenceBits, gadget: "square root upper bound")
        return root
    }
}
