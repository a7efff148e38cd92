import ConstraintSystem
import Gadgets

/// A proven boolean per element of an exact integer difference d: [d ≥ 0] (bits + 1 constraints) or [d = 0] (three
/// constraints), or their complements (free). Every comparison op reduces to one of these on integers, so the bit is
/// exactly the integer decision; `flipMargin` is how far (in real units) the float model's operands may be from the
/// threshold for the float decision to differ (the operands' error bounds).
public struct ComparisonStep: Sendable, Hashable, Codable, StepSemantics {
    public enum Test: String, Sendable, Hashable, Codable { case nonNegative, zero }

    public var input: Int
    public var test: Test
    public var complement: Bool
    /// Signed bits of d (for the non-negativity test).
    public var bits: Int
    public var flipMargin: Double

    func decide(_ d: Int) -> Int {
        let holds = test == .zero ? d == 0 : d >= 0
        return holds != complement ? 1 : 0
    }

    func evaluate(_ values: [[Int]]) -> [Int] { values[input].map(decide) }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        try elementwise(signals[input]) { d throws(GadgetError) in
            let bit = test == .zero ? builder.isZero(d) : try builder.isNonNegative(d, bits: bits)
            return complement ? Signal.constant(1) - bit : bit
        }
    }

    var summary: String {
        let name = test == .zero ? (complement ? "d != 0" : "d == 0") : (complement ? "d < 0, \(bits)b" : "d >= 0, \(bits)b")
        return flipMargin > 0 ? "\(name), flips within \(String(format: "%.2g", flipMargin))" : name
    }
}
