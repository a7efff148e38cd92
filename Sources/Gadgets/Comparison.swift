import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// A bit that is 1 exactly when x ≥ 0, for x in the signed `bits` range. Costs bits + 1 constraints.
    public mutating func isNonNegative(_ x: Signal, bits: Int) throws(GadgetError) -> Signal {
        let sign = try enforceSignedRange(x, bits: bits, gadget: "comparison")
        return Signal(sign, value: x.value >= 0 ? 1 : 0)
    }

    /// A bit that is 1 exactly when a < b, for a − b in the signed `bits` range.
    public mutating func isLessThan(_ a: Signal, _ b: Signal, bits: Int) throws(GadgetError) -> Signal {
        let nonNegative = try isNonNegative(a - b, bits: bits)
        return Signal.constant(1) - nonNegative
    }

    /// Proves a ≤ b, given b − a < 2^bits.
    public mutating func enforceLessThanOrEqual(_ a: Signal, _ b: Signal, bits: Int) throws(GadgetError) {
        try enforceUnsignedRange(b - a, bits: bits, gadget: "comparison")
    }

    /// The product a·b as a new wire (one constraint).
    public mutating func product(_ a: Signal, _ b: Signal) -> Signal {
        let value = a.value * b.value
        let output = allocate(.intermediate, value: Fr(signed: value))
        enforce(a.combination, b.combination, LinearCombination(output))
        return Signal(output, value: value)
    }

    /// Clamps x into lower...upper; `bits` must bound |x − lower| and |upper − x| as signed values.
    /// Costs 2·(bits + 2) constraints.
    public mutating func clamp(_ x: Signal, lower: Int, upper: Int, bits: Int) throws(GadgetError) -> Signal {
        precondition(lower <= upper)
        return try atMost(try atLeast(x, lower, bits: bits), upper, bits: bits)
    }

    /// max(x, lower) = lower + [x − lower ≥ 0]·(x − lower), for x − lower in the signed `bits` range (bits + 2 constraints).
    public mutating func atLeast(_ x: Signal, _ lower: Int, bits: Int) throws(GadgetError) -> Signal {
        let aboveLower = x - lower
        return Signal.constant(lower) + product(try isNonNegative(aboveLower, bits: bits), aboveLower)
    }

    /// min(x, upper) = upper − [upper − x ≥ 0]·(upper − x), for upper − x in the signed `bits` range (bits + 2 constraints).
    public mutating func atMost(_ x: Signal, _ upper: Int, bits: Int) throws(GadgetError) -> Signal {
        let belowUpper = Signal.constant(upper) - x
        return Signal.constant(upper) - product(try isNonNegative(belowUpper, bits: bits), belowUpper)
    }
}

extension ConstraintSystemBuilder {
    /// A bit that is 1 exactly when x = 0: x·w = 1 − z, x·z = 0 and w·z = 0 (three constraints). x = 0 forces z = 1
    /// and then w = 0; x ≠ 0 forces z = 0 and w = 1/x. So z needs no booleanity constraint and no wire is free.
    public mutating func isZero(_ x: Signal) -> Signal {
        let zero = x.value == 0
        let inverse = allocate(.intermediate, value: zero ? .zero : Fr(signed: x.value).inverse()!)
        let bit = allocate(.intermediate, value: zero ? .one : .zero)
        enforce(x.combination, LinearCombination(inverse), LinearCombination.constant(.one) - LinearCombination(bit))
        enforce(x.combination, LinearCombination(bit), LinearCombination())
        enforce(LinearCombination(inverse), LinearCombination(bit), LinearCombination())
        return Signal(bit, value: zero ? 1 : 0)
    }
}
