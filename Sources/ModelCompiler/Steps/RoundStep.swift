import Algebra
import ConstraintSystem
import Gadgets

/// Round half to even (ONNX Round) of fixed-point values at scale `shift`, to integers at scale 0:
/// x + 2^(s−1) = q·2^s + rem with rem in s bits and q in its signed range; on a tie (rem = 0: the product of the
/// complements of rem's bits, every wire determined) an odd q (its proven low bit) steps down by one.
public struct RoundStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    public var shift: Int
    /// Signed bits of q (at least 2, so its low bit is the low bit of the decomposed q + 2^(bits−1)).
    public var quotientBits: Int

    static func round(_ x: Int, shift: Int) -> Int {
        guard shift > 0 else { return x }
        let quotient = FixedPoint.rescale(x, shift: shift, rounding: .halfUp)
        let remainder = x + 1 << (shift - 1) - quotient << shift
        return remainder == 0 && quotient & 1 == 1 ? quotient - 1 : quotient
    }

    func evaluate(_ values: [[Int]]) -> [Int] { values[input].map { RoundStep.round($0, shift: shift) } }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        guard shift > 0 else { return signals[input] }
        var output: [Signal] = []
        for x in signals[input] {
            let shifted = x + 1 << (shift - 1)
            let quotientValue = shifted.value >> shift
            let remainderValue = shifted.value - quotientValue << shift
            let quotient = Signal(builder.allocate(.intermediate, value: Fr(signed: quotientValue)), value: quotientValue)
            let (remainderBits, remainder) = try builder.allocateBits(of: remainderValue, bits: shift, gadget: "round remainder")
            builder.enforce(shifted.combination - quotient.combination * Fr(UInt64(1) << UInt64(shift)) - remainder, .constant(.one), LinearCombination())
            let bits = try builder.bitDecomposition(of: quotient + (1 << (quotientBits - 1)), bits: quotientBits, gadget: "round quotient")
            var tie = Signal.constant(1) - Signal(remainderBits[0], value: remainderValue & 1)
            for (index, bit) in remainderBits.enumerated().dropFirst() {
                tie = builder.product(tie, Signal.constant(1) - Signal(bit, value: (remainderValue >> index) & 1))
            }
            let step = builder.product(tie, Signal(bits[0], value: quotientValue & 1))
            output.append(quotient - step)
        }
        return output
    }

    var summary: String { "round half even: rem \(shift)b, q \(quotientBits)b, tie test" }
}
