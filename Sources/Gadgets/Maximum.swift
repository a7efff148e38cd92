import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// The largest of `inputs` as a new wire m, constrained by m − xᵢ ∈ [0, 2^differenceBits) for every i
    /// (m is at least each input) and Πᵢ (m − xᵢ) = 0 (m is one of them).
    /// Costs n·(differenceBits + 1) + n − 1 constraints.
    public mutating func maximum(of inputs: [Signal], differenceBits: Int) throws(GadgetError) -> Signal {
        precondition(!inputs.isEmpty, "the maximum of nothing")
        if inputs.count == 1 { return inputs[0] }
        let largest = inputs.map(\.value).max()!
        let maximum = Signal(allocate(.intermediate, value: Fr(signed: largest)), value: largest)
        let differences = inputs.map { maximum - $0 }
        for difference in differences {
            try enforceUnsignedRange(difference, bits: differenceBits, gadget: "maximum")
        }
        // The running product is a field element: its integer value would overflow for wide windows.
        var running = differences[0].combination
        var value = Fr(signed: differences[0].value)
        for difference in differences.dropFirst().dropLast() {
            value *= Fr(signed: difference.value)
            let wire = allocate(.intermediate, value: value)
            enforce(running, difference.combination, LinearCombination(wire))
            running = LinearCombination(wire)
        }
        // running · (m − last) = 0
        enforce(running, differences[differences.count - 1].combination, LinearCombination())
        return maximum
    }
}
