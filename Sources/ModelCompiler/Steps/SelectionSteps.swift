import Algebra
import ConstraintSystem
import Gadgets

/// The largest (or, with `negate`, smallest) element of each window: m − xᵢ ≥ 0 for all i and Π(m − xᵢ) = 0.
/// MaxPool, GlobalMaxPool, ReduceMax/Min and Max/Min of several tensors.
public struct MaximumStep: Sendable, Hashable, Codable, StepSemantics {
    public var windows: Windows
    public var negate: Bool
    public var differenceBits: Int

    func evaluate(_ values: [[Int]]) -> [Int] {
        (0..<windows.count).map { index in
            let elements = windows.window(index).map { value(values, $0) }
            return negate ? elements.min()! : elements.max()!
        }
    }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        var output: [Signal] = []
        for index in 0..<windows.count {
            let elements = windows.window(index).map { signal(signals, $0) }
            if negate {
                output.append(try builder.maximum(of: elements.map { $0 * -1 }, differenceBits: differenceBits) * -1)
            } else {
                output.append(try builder.maximum(of: elements, differenceBits: differenceBits))
            }
        }
        return output
    }

    var summary: String { "\(negate ? "min" : "max"), diff \(differenceBits)b" }
}

/// The index of the largest (or smallest) element of each window, the first on ties or the last with `selectLast`,
/// through a constrained one-hot vector.
public struct ArgMaxStep: Sendable, Hashable, Codable, StepSemantics {
    public var windows: Windows
    public var negate: Bool
    public var selectLast: Bool
    public var differenceBits: Int

    func evaluate(_ values: [[Int]]) -> [Int] {
        (0..<windows.count).map { index in
            let elements = windows.window(index).map { value(values, $0) * (negate ? -1 : 1) }
            let best = elements.max()!
            return selectLast ? elements.lastIndex(of: best)! : elements.firstIndex(of: best)!
        }
    }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        var output: [Signal] = []
        for index in 0..<windows.count {
            var elements = windows.window(index).map { signal(signals, $0) * (negate ? -1 : 1) }
            if selectLast { elements.reverse() }
            let position = try builder.argmax(of: elements, differenceBits: differenceBits)
            output.append(selectLast ? Signal.constant(elements.count - 1) - position : position)
        }
        return output
    }

    var summary: String { "\(negate ? "argmin" : "argmax"), diff \(differenceBits)b" }
}

/// sign(x) ∈ {−1, 0, 1}: [x ≥ 0] − [−x ≥ 0], two proven sign bits.
public struct SignStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    public var bits: Int

    func evaluate(_ values: [[Int]]) -> [Int] { values[input].map { $0.signum() } }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        try elementwise(signals[input]) { x throws(GadgetError) in
            try builder.isNonNegative(x, bits: bits) - builder.isNonNegative(x * -1, bits: bits)
        }
    }

    var summary: String { "sign \(bits)b x2" }
}

/// For each index i in [0, size): e ∈ {0, 1}^size with Σ eⱼ = 1 and Σ j·eⱼ = i, the selector of an embedding lookup.
/// Costs size + 2 constraints per index; an index outside [0, size) has no witness.
public struct OneHotStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    public var size: Int

    func evaluate(_ values: [[Int]]) -> [Int] {
        values[input].flatMap { index in (0..<size).map { $0 == index ? 1 : 0 } }
    }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        var output: [Signal] = []
        for index in signals[input] {
            guard (0..<size).contains(index.value) else { throw GadgetError(gadget: "one-hot index", value: index.value, bits: BitWidth.unsigned(size - 1), signed: false) }
            let bits = (0..<size).map { Signal(builder.allocateBit($0 == index.value), value: $0 == index.value ? 1 : 0) }
            builder.enforce(Signal.sum(bits).combination, .constant(.one), .constant(.one))
            builder.enforce(Signal.weightedSum(bits, weights: Array(0..<size)).combination, .constant(.one), index.combination)
            output += bits
        }
        return output
    }

    var summary: String { "one-hot of \(size)" }
}
