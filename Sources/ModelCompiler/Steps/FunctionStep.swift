import ConstraintSystem
import Gadgets

/// A real function (Exp, Erf, Gelu, Sigmoid, ...) applied to every element through a fitted polynomial table.
public struct FunctionStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    public var function: RealFunction
    public var fitted: FittedTable
    public var inputBits: Int
    public var outputBits: Int

    func evaluate(_ values: [[Int]]) -> [Int] { values[input].map(fitted.table.evaluate) }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        try elementwise(signals[input]) { x throws(GadgetError) in
            try builder.polynomialTable(
                x, table: fitted.table, clampLower: fitted.clampLower, clampUpper: fitted.clampUpper, inputBits: inputBits,
                outputBits: outputBits)
        }
    }

    var summary: String {
        let table = fitted.table
        return "\(function.name): \(table.segmentCount) segments of \(1 << table.segmentLog), degree \(table.degree), shift \(table.shift)b, out \(outputBits)b"
    }
}

/// ln of every element (proven ≥ 1 as an integer): a one-hot exponent, a normalized mantissa and its table.
public struct LogarithmStep: Sendable, Hashable, Codable, StepSemantics {
    public var input: Int
    public var table: LogarithmTable
    public var outputBits: Int

    func evaluate(_ values: [[Int]]) -> [Int] { values[input].map(table.evaluate) }

    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal] {
        try elementwise(signals[input]) { x throws(GadgetError) in try builder.logarithm(x, table: table, outputBits: outputBits) }
    }

    var summary: String {
        "ln: \(table.exponents.count) exponents, mantissa \(table.mantissaBits)b, \(table.table.segmentCount) segments of \(1 << table.table.segmentLog), degree \(table.table.degree)"
    }
}
