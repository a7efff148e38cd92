import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// Allocates the `bits` constrained bits of a value, least significant first, and returns them with
    /// their recomposition Σ 2^i·bᵢ. No constraint ties the recomposition to anything yet. Costs `bits` constraints.
    public mutating func allocateBits(
        of value: Int, bits: Int, gadget: String
    ) throws(GadgetError) -> (bits: [Variable], recomposed: LinearCombination) {
        precondition((0...maximumRangeBits).contains(bits), "range checks are limited to \(maximumRangeBits) bits")
        guard value >= 0, value >> bits == 0 else {
            throw GadgetError(gadget: gadget, value: value, bits: bits, signed: false)
        }
        var terms: [LinearCombination.Term] = []
        var weight = Fr.one
        var variables: [Variable] = []
        variables.reserveCapacity(bits)
        terms.reserveCapacity(bits)
        for index in 0..<bits {
            let variable = allocateBit((value >> index) & 1 == 1)
            variables.append(variable)
            terms.append(.init(wire: variable.id, coefficient: weight))
            weight = weight.doubled()
        }
        return (variables, LinearCombination(terms))
    }

    /// Decomposes `signal` into `bits` constrained bits, least significant first, with signal = Σ 2^i·bᵢ.
    /// This proves 0 ≤ signal < 2^bits. Costs `bits` + 1 constraints.
    @discardableResult
    public mutating func bitDecomposition(of signal: Signal, bits: Int, gadget: String = "range check") throws(GadgetError) -> [Variable] {
        let (variables, recomposed) = try allocateBits(of: signal.value, bits: bits, gadget: gadget)
        enforce(recomposed, .constant(.one), signal.combination)
        return variables
    }

    /// Proves 0 ≤ signal < 2^bits.
    public mutating func enforceUnsignedRange(_ signal: Signal, bits: Int, gadget: String = "range check") throws(GadgetError) {
        try bitDecomposition(of: signal, bits: bits, gadget: gadget)
    }

    /// Proves −2^(bits−1) ≤ signal < 2^(bits−1) by decomposing signal + 2^(bits−1); the returned top bit is
    /// 1 exactly when signal ≥ 0. Costs `bits` + 1 constraints.
    @discardableResult
    public mutating func enforceSignedRange(_ signal: Signal, bits: Int, gadget: String = "signed range check") throws(GadgetError) -> Variable {
        precondition(bits >= 1 && bits < Int.bitWidth - 1, "signed ranges are limited to 62 bits")
        do {
            return try bitDecomposition(of: signal + (1 << (bits - 1)), bits: bits, gadget: gadget)[bits - 1]
        } catch {
            throw GadgetError(gadget: gadget, value: signal.value, bits: bits, signed: true)
        }
    }
}

/// Bit widths of integer ranges.
public enum BitWidth {
    /// The smallest b with 0 ≤ value < 2^b for every value in 0...maximum.
    public static func unsigned(_ maximum: Int) -> Int {
        precondition(maximum >= 0)
        return Int.bitWidth - maximum.leadingZeroBitCount
    }

    /// The smallest b ≥ 1 with −2^(b−1) ≤ v < 2^(b−1) for every v in `range`.
    public static func signed(_ range: ClosedRange<Int>) -> Int {
        let magnitude = max(range.upperBound, -(range.lowerBound + 1), 0)
        return unsigned(magnitude) + 1
    }
}
