import Foundation
import Gadgets
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// The fitted tables of the smooth functions: each one's error measured exhaustively over every integer input at two
/// scales against the bound the README documents, the slope bounds the error propagation uses, and the ops end to end.
@Suite struct FunctionTableTests {
    /// (op, attributes, input range) for every table function.
    static let functions: [(String, [String: Attribute], ClosedRange<Double>)] = [
        ("Exp", [:], -15.9...0), ("Log", [:], 0.0625...16), ("Sigmoid", [:], -16...16), ("Tanh", [:], -16...16), ("Erf", [:], -16...16),
        ("Gelu", [:], -16...16), ("Gelu", ["approximate": .string("tanh")], -16...16), ("Softplus", [:], -16...16),
        ("Elu", [:], -16...16), ("Selu", [:], -16...16), ("Celu", ["alpha": .float(2)], -16...16), ("Mish", [:], -16...16),
        ("Sin", [:], -4...4), ("Cos", [:], -4...4),
    ]

    /// The README's table: the largest error (real units) and constraints per element, at activation scales 7 and 10.
    static let documented: [String: [Int: (error: Double, cost: Int)]] = [
        "Exp": [7: (0.0072, 64), 10: (0.00071, 93)],
        "Log": [7: (0.007, 82), 10: (0.00072, 105)],
        "Sigmoid": [7: (0.0043, 89), 10: (0.00069, 119)],
        "Tanh": [7: (0.0048, 88), 10: (0.00056, 121)],
        "Erf": [7: (0.0073, 81), 10: (0.00066, 109)],
        "Gelu": [7: (0.0077, 87), 10: (0.00097, 112)],
        "Gelu(approximate)": [7: (0.0073, 87), 10: (0.00088, 118)],
        "Softplus": [7: (0.0072, 90), 10: (0.00097, 117)],
        "Elu": [7: (0.0059, 87), 10: (0.00096, 113)],
        "Selu": [7: (0.0071, 88), 10: (0.0007, 120)],
        "Celu(alpha)": [7: (0.0074, 91), 10: (0.00087, 102)],
        "Mish": [7: (0.0062, 94), 10: (0.00082, 128)],
        "Sin": [7: (0.0043, 66), 10: (0.00081, 81)],
        "Cos": [7: (0.0042, 66), 10: (0.00081, 81)],
    ]

    /// The costs include the comparisons that clamp the input range of the test (−16...16, widened to a power of two)
    /// to the table; an input already inside the table skips them.
    @Test func everyFunctionStaysWithinItsDocumentedBoundOverEveryInput() throws {
        for (type, attributes, range) in Self.functions {
            for scale in [7, 10] {
                let graph = single(type, input: [4], range: range, attributes)
                let (_, model, _) = try checkModel(graph, settings: CompilerSettings(activationScale: scale), samples: 2)
                let step = model.steps.last!
                let inputRange = model.tensors[model.inputs[0].tensor].range
                let unit = pow(2, Double(scale))
                var worst = 0.0
                var integers: (Int) -> Int
                var reference: (Double) -> Double
                switch step.kind {
                case let .function(table):
                    integers = table.fitted.table.evaluate
                    reference = table.function.callAsFunction
                case let .logarithm(table):
                    integers = table.table.evaluate
                    reference = Foundation.log
                default:
                    Issue.record("\(type): not a table step"); continue
                }
                for x in inputRange where type != "Log" || x >= 1 {
                    worst = max(worst, abs(Double(integers(x)) / unit - reference(Double(x) / unit)))
                }
                let cost = try CostReport.of(model).layers.first { $0.name == step.name }!.constraints / 4
                let label = type + (attributes.isEmpty ? "" : "(\(attributes.keys.sorted().joined()))")
                #expect(worst <= model.outputs[0].errorBound)
                guard let documented = Self.documented[label]?[scale] else { Issue.record("\(label) is not documented"); continue }
                #expect(worst <= documented.error, "\(label) at scale \(scale): \(worst)")
                #expect(cost <= documented.cost, "\(label) at scale \(scale): \(cost) constraints per element")
            }
        }
    }

    /// sup |f′| ≤ slopeBound, checked by central differences on a fine grid (the bound feeds every error estimate).
    @Test func slopeBoundsHold() {
        let kinds: [RealFunction] = [
            .init(.sigmoid), .init(.tanh), .init(.erf), .init(.gelu), .init(.geluTanh), .init(.softplus), .init(.elu, alpha: 0.5),
            .init(.elu, alpha: 2), .init(.selu, alpha: 1.6732632, gamma: 1.0507010), .init(.celu, alpha: 0.7), .init(.mish), .init(.sin),
            .init(.cos), .init(.exp),
        ]
        for f in kinds {
            let high = 3.0
            var steepest = 0.0
            for k in -400_000...30_000 {
                let x = Double(k) / 10_000
                steepest = max(steepest, abs(f(x + 1e-6) - f(x - 1e-6)) / 2e-6)
            }
            #expect(steepest <= f.slopeBound(upTo: high) * (1 + 1e-6), "\(f.name): slope \(steepest) above \(f.slopeBound(upTo: high))")
        }
    }
}
