import Algebra
import ConstraintSystem

extension ConstraintSystemBuilder {
    /// The index of the largest input (the first one on ties, as numpy and ONNX do), as a linear combination
    /// of a constrained one-hot vector e: eᵢ bits with Σ eᵢ = 1, m = Σ eᵢ·xᵢ, and for every i
    /// m − xᵢ − [i before the index] ∈ [0, 2^differenceBits), so m is the maximum and no earlier input reaches it.
    /// Costs n·(differenceBits + 3) + 1 constraints.
    public mutating func argmax(of inputs: [Signal], differenceBits: Int) throws(GadgetError) -> Signal {
        precondition(!inputs.isEmpty, "the argmax of nothing")
        let largest = inputs.map(\.value).max()!
        let index = inputs.firstIndex { $0.value == largest }!
        let oneHot = inputs.indices.map { Signal(allocateBit($0 == index), value: $0 == index ? 1 : 0) }
        enforce(Signal.sum(oneHot).combination, .constant(.one), .constant(.one))
        let maximum = Signal.sum(zip(oneHot, inputs).map { product($0, $1) })
        var seen = Signal.constant(0)  // Σ_{j ≤ i} e_j
        for (position, input) in inputs.enumerated() {
            seen = seen + oneHot[position]
            let before = Signal.constant(1) - seen
            try enforceUnsignedRange(maximum - input - before, bits: differenceBits, gadget: "argmax")
        }
        return Signal.weightedSum(oneHot, weights: Array(inputs.indices))
    }
}
