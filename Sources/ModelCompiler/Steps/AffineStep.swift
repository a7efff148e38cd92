import Algebra
import ConstraintSystem
import Gadgets

/// y = rescale(c + Σ a·x + Σ b·x·y) by 2^shift, then max(0, ·) when `relu`: every linear layer, sum, product and
/// layout rewiring. Constant coefficients are free; each distinct product of two wires costs one constraint; the
/// rescale proves acc + offset = q·2^shift + rem with rem in `shift` bits and q in its signed range.
public struct AffineStep: Sendable, Hashable, Codable, StepSemantics {
    /// Exclusive end of each output element's terms.
    public var rowEnds: [Int]
    public var coefficients: [Int]
    public var left: [Int]
    /// −1 for a linear term.
    public var right: [Int]
    public var constants: [Int]
    public var shift: Int
    public var rounding: Rounding
    /// Bits of the rescaled quotient (signed), or of the accumulator for a ReLU without rescale.
    public var quotientBits: Int
    public var relu: Bool
    /// Fractional bits of the coefficients beyond the inputs' scales (for the cost report).
    public var coefficientScale: Int = 0
    /// Without rescale or ReLU: the output gets a wire, range-checked to `quotientBits` (a calibrated range).
    public var rangeChecked: Bool? = nil

    func terms(_ row: Int) -> Range<Int> { (row == 0 ? 0 : rowEnds[row - 1])..<rowEnds[row] }

    public var productCount: Int { Set(zip(left, right).filter { $0.1 >= 0 }.map { "\($0.0),\($0.1)" }).count }

    func evaluate(_ values: [[Int]]) -> [Int] {
        rowEnds.indices.map { row in
            var accumulator = constants[row]
            for term in terms(row) {
                let x = value(values, left[term])
                accumulator += coefficients[term] * (right[term] < 0 ? x : x * value(values, right[term]))
            }
            let rescaled = FixedPoint.rescale(accumulator, shift: shift, rounding: rounding)
            return relu ? max(0, rescaled) : rescaled
        }
    }

    /// Unrescaled outputs with more terms than this get a wire of their own (one constraint).
    static let widestFreeCombination = 16

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        struct Pair: Hashable { var left: Int, right: Int }
        var products: [Pair: Signal] = [:]
        var output: [Signal] = []
        output.reserveCapacity(rowEnds.count)
        for row in rowEnds.indices {
            var parts: [Signal] = []
            var weights: [Int] = []
            for term in terms(row) {
                var factor = signal(signals, left[term])
                if right[term] >= 0 {
                    let pair = Pair(left: left[term], right: right[term])
                    if let known = products[pair] {
                        factor = known
                    } else {
                        factor = builder.product(factor, signal(signals, right[term]))
                        products[pair] = factor
                    }
                }
                parts.append(factor)
                weights.append(coefficients[term])
            }
            let accumulator = Signal.weightedSum(parts, weights: weights, constant: constants[row])
            if shift > 0 {
                output.append(relu
                    ? try builder.rescaleReLU(accumulator, shift: shift, rounding: rounding, quotientBits: quotientBits)
                    : try builder.rescale(accumulator, shift: shift, rounding: rounding, quotientBits: quotientBits))
            } else {
                if relu {
                    output.append(try builder.relu(accumulator, bits: quotientBits))
                } else if rangeChecked == true {
                    let wire = builder.allocate(.intermediate, value: Fr(signed: accumulator.value))
                    builder.enforce(accumulator.combination, .constant(.one), LinearCombination(wire))
                    let checked = Signal(wire, value: accumulator.value)
                    _ = try builder.enforceSignedRange(checked, bits: quotientBits, gadget: "calibrated range")
                    output.append(checked)
                } else if accumulator.combination.terms.count > Self.widestFreeCombination {
                    // A wide sum (softmax's, a normalization's) becomes one wire, so its readers do not repeat it.
                    let wire = builder.allocate(.intermediate, value: Fr(signed: accumulator.value))
                    builder.enforce(accumulator.combination, .constant(.one), LinearCombination(wire))
                    output.append(Signal(wire, value: accumulator.value))
                } else {
                    output.append(accumulator)
                }
            }
        }
        return output
    }

    var summary: String {
        var parts: [String] = []
        if coefficientScale > 0 { parts.append("w @2^-\(coefficientScale)") }
        let products = productCount
        if products > 0 { parts.append("\(products) products") }
        if shift > 0 { parts.append("rem \(shift)b, q \(quotientBits)b") }
        if relu { parts.append(shift > 0 ? "relu" : "relu \(quotientBits)b") }
        if rangeChecked == true { parts.append("range \(quotientBits)b") }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}
