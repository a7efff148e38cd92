import Algebra
import ConstraintSystem
import Foundation

/// A function sampled at evenly spaced integer breakpoints and interpolated linearly between them; inputs
/// outside the table are clamped to its ends. This is the integer semantics of Sigmoid and Tanh.
public struct PiecewiseLinearTable: Sendable, Hashable, Codable {
    /// The first breakpoint, in input units.
    public var lowerBound: Int
    /// Breakpoints are 2^segmentLog input units apart.
    public var segmentLog: Int
    /// The function at each breakpoint, in output units; the table spans (values.count − 1) segments.
    public var values: [Int]

    public init(lowerBound: Int, segmentLog: Int, values: [Int]) {
        precondition(values.count >= 2 && segmentLog >= 0 && segmentLog < 40)
        self.lowerBound = lowerBound
        self.segmentLog = segmentLog
        self.values = values
    }

    public var segmentCount: Int { values.count - 1 }
    public var upperBound: Int { lowerBound + segmentCount << segmentLog }

    /// The exact integer result the gadget proves: clamp, then interpolate and round half up.
    public func evaluate(_ x: Int) -> Int {
        let offset = min(max(x, lowerBound), upperBound) - lowerBound
        let segment = offset >> segmentLog
        let step = offset - segment << segmentLog
        if segment == segmentCount { return values[segmentCount] }
        let scaled = values[segment] << segmentLog + (values[segment + 1] - values[segment]) * step
        return FixedPoint.rescale(scaled, shift: segmentLog, rounding: .halfUp)
    }

    /// Samples `function` on [−range, range] (real units) with breakpoints `spacing` apart (a power of two),
    /// for inputs with `inputScale` fractional bits and outputs with `outputScale` fractional bits.
    public static func sampling(
        _ function: (Double) -> Double, range: Double, spacing: Double, inputScale: Int, outputScale: Int
    ) -> PiecewiseLinearTable {
        let inputUnit = Double(1 << inputScale)
        let segmentLog = max(0, Int((spacing * inputUnit).rounded(.down)).trailingZeroBitCount)
        let step = Double(1 << segmentLog) / inputUnit
        let lower = (-Int((range * inputUnit).rounded(.down)) >> segmentLog) << segmentLog
        let count = Int((2 * range / step).rounded(.up))
        let values = (0...count).map { k in
            Int((function((Double(lower) + Double(k << segmentLog)) / inputUnit) * Double(1 << outputScale)).rounded())
        }
        return PiecewiseLinearTable(lowerBound: lower, segmentLog: segmentLog, values: values)
    }
}

extension ConstraintSystemBuilder {
    /// table(x), constrained: x is clamped (two comparisons), the clamped offset is split as
    /// segment·2^segmentLog + step with the segment one-hot and 0 ≤ step < 2^segmentLog, then
    /// y = round((values[k]·2^segmentLog + Δ_k·step) / 2^segmentLog) with one product and a rescale.
    /// `inputBits` bounds x (signed); `outputBits` bounds the result (signed).
    public mutating func piecewiseLinear(
        _ x: Signal, table: PiecewiseLinearTable, inputBits: Int, outputBits: Int
    ) throws(GadgetError) -> Signal {
        let spanBits = max(inputBits, BitWidth.signed(table.lowerBound...table.upperBound)) + 1
        let clamped = try clamp(x, lower: table.lowerBound, upper: table.upperBound, bits: spanBits)
        let offset = clamped - table.lowerBound
        let segmentValue = offset.value >> table.segmentLog
        let oneHot = (0...table.segmentCount).map { Signal(allocateBit($0 == segmentValue), value: $0 == segmentValue ? 1 : 0) }
        enforce(Signal.sum(oneHot).combination, .constant(.one), .constant(.one))
        let segmentStart = Signal.weightedSum(oneHot, weights: (0...table.segmentCount).map { $0 << table.segmentLog })
        let step = offset - segmentStart
        if table.segmentLog == 0 {
            enforce(step.combination, .constant(.one), LinearCombination())
            return Signal.weightedSum(oneHot, weights: table.values)
        }
        try enforceUnsignedRange(step, bits: table.segmentLog, gadget: "piecewise step")
        let deltas = (0...table.segmentCount).map { $0 == table.segmentCount ? 0 : table.values[$0 + 1] - table.values[$0] }
        let slope = Signal.weightedSum(oneHot, weights: deltas)
        let base = Signal.weightedSum(oneHot, weights: table.values.map { $0 << table.segmentLog })
        let scaled = base + product(slope, step)
        return try rescale(scaled, shift: table.segmentLog, rounding: .halfUp, quotientBits: outputBits)
    }
}
