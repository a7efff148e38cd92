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

/// a mod B for constant integer divisors at the input's scale. Floor mode (ONNX's fmod = 0): a − B·floor(a/B), with the
/// divisor's sign, proved as x = q·|B| + r, 0 ≤ r < |B| for x = ±a. Truncating mode (fmod = 1, C's fmod): the dividend's
/// sign, from the proven sign bit s of a: |a| = (2s − 1)·a, |a| = q·|B| + r, result (2s − 1)·r.
public struct ModuloStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    /// One non-zero divisor per output element.
    public var divisors: [Int]
    public var truncate: Bool
    /// Signed bits of the input's proven range (for the sign bit).
    public var inputBits: Int
    public var quotientBits: Int

    static func modulo(_ a: Int, _ divisor: Int, truncate: Bool) -> Int {
        let magnitude = abs(divisor)
        if truncate {
            let r = abs(a) - magnitude * FixedPoint.divide(abs(a), by: magnitude, rounding: .floor)
            return a >= 0 ? r : -r
        }
        let x = divisor > 0 ? a : -a
        let r = x - magnitude * FixedPoint.divide(x, by: magnitude, rounding: .floor)
        return divisor > 0 ? r : -r
    }

    func evaluate(_ values: [[Int]]) -> [Int] {
        zip(values[input], divisors).map { Self.modulo($0, $1, truncate: truncate) }
    }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        var output: [Signal] = []
        output.reserveCapacity(divisors.count)
        for (a, divisor) in zip(signals[input], divisors) {
            let magnitude = abs(divisor)
            if truncate {
                let bit = try builder.enforceSignedRange(a, bits: inputBits, gadget: "modulo sign")
                let sign = Signal(bit, value: a.value >= 0 ? 1 : 0) * 2 - 1
                let absolute = builder.product(sign, a)
                let q = try builder.divide(absolute, by: magnitude, rounding: .floor, quotientBits: quotientBits)
                output.append(builder.product(sign, absolute - q * magnitude))
            } else {
                let x = divisor > 0 ? a : a * -1
                let q = try builder.divide(x, by: magnitude, rounding: .floor, quotientBits: quotientBits)
                let r = x - q * magnitude
                output.append(divisor > 0 ? r : r * -1)
            }
        }
        return output
    }

    var summary: String { "mod\(truncate ? " (fmod)" : ""): q \(quotientBits)b" + (truncate ? ", sign \(inputBits)b" : "") }
}
