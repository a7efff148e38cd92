import Algebra
import ConstraintSystem
import Gadgets

/// n / d between two activations, rounded half up: n = a·2^numeratorShift, d = b·2^denominatorShift (negated when
/// the divisor's proven range is negative), then 2n + d = 2d·q + rem with 0 ≤ rem < 2d.
public struct DivisionStep: Sendable, Hashable, Codable, StepSemantics {
    public var numerators: [Int]
    public var denominators: [Int]
    public var numeratorShift: Int
    public var denominatorShift: Int
    public var negate: Bool
    public var remainderBits: Int
    public var quotientBits: Int

    func operands(_ a: Int, _ b: Int) -> (Int, Int) {
        let n = a << numeratorShift
        let d = b << denominatorShift
        return negate ? (-n, -d) : (n, d)
    }

    func evaluate(_ values: [[Int]]) -> [Int] {
        zip(numerators, denominators).map { a, b in
            let (n, d) = operands(value(values, a), value(values, b))
            return FixedPoint.divide(2 * n + d, by: 2 * d, rounding: .floor)
        }
    }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        var output: [Signal] = []
        for (a, b) in zip(numerators, denominators) {
            let sign = negate ? -1 : 1
            let n = signal(signals, a) * (sign << numeratorShift)
            let d = signal(signals, b) * (sign << denominatorShift)
            output.append(try builder.divide(n, by: d, remainderBits: remainderBits, quotientBits: quotientBits))
        }
        return output
    }

    var summary: String { "divide: rem \(remainderBits)b x2, q \(quotientBits)b" }
}

/// floor(√(x·2^shift)): y² ≤ m ≤ y² + 2y.
public struct SquareRootStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    public var shift: Int
    public var rootBits: Int
    public var differenceBits: Int

    func evaluate(_ values: [[Int]]) -> [Int] { values[input].map { FixedPoint.squareRoot($0 << shift) } }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        try elementwise(signals[input]) { x throws(GadgetError) in
            try builder.squareRoot(x * (1 << shift), rootBits: rootBits, differenceBits: differenceBits)
        }
    }

    var summary: String { "sqrt: root \(rootBits)b, diff \(differenceBits)b x2" }
}
