import ConstraintSystem
import Gadgets

/// A circuit primitive: its exact integer semantics (the interpreter that defines the witness) and its lowering to
/// constraints, which must compute the same integers.
protocol StepSemantics {
    /// The output integers from every tensor's integers so far (indexed by tensor id).
    func evaluate(_ values: [[Int]]) -> [Int]
    /// The output signals; the constraints never depend on the values.
    func lower(_ signals: [[Signal]], _ builder: inout ConstraintSystemBuilder) throws(GadgetError) -> [Signal]
    /// The bit widths the step's range checks use, in words, for the cost report.
    var summary: String { get }
}

extension StepKind {
    var semantics: any StepSemantics {
        switch self {
        case let .affine(step): step
        case let .maximum(step): step
        case let .argmax(step): step
        case let .function(step): step
        case let .logarithm(step): step
        case let .sign(step): step
        case let .round(step): step
        case let .division(step): step
        case let .modulo(step): step
        case let .squareRoot(step): step
        case let .oneHot(step): step
        case let .comparison(step): step
        }
    }
}

/// Elements of materialized tensors, grouped into windows (the inputs of one output element each).
public struct Windows: Sendable, Hashable, Codable {
    /// Exclusive end of each window in `sources`.
    public var ends: [Int]
    /// Expression symbols: tensor id << 32 | element.
    public var sources: [Int]

    public init(_ windows: [[Int]]) {
        ends = []
        sources = []
        for window in windows {
            sources += window
            ends.append(sources.count)
        }
    }

    public var count: Int { ends.count }

    public func window(_ index: Int) -> ArraySlice<Int> { sources[(index == 0 ? 0 : ends[index - 1])..<ends[index]] }
}

/// Each element lowered by `body`, in order.
func elementwise(_ inputs: [Signal], _ body: (Signal) throws(GadgetError) -> Signal) throws(GadgetError) -> [Signal] {
    var output: [Signal] = []
    output.reserveCapacity(inputs.count)
    for x in inputs { output.append(try body(x)) }
    return output
}

@inline(__always)
func value(_ values: [[Int]], _ symbol: Int) -> Int { values[symbol >> 32][symbol & 0xFFFF_FFFF] }

@inline(__always)
func signal(_ signals: [[Signal]], _ symbol: Int) -> Signal { signals[symbol >> 32][symbol & 0xFFFF_FFFF] }
