import Algebra
import ConstraintSystem
import Foundation
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// Comparisons, logic, Where and tree ensembles on activations: decisions equal to float inference at the threshold and
/// on every grid input away from it (thresholds on and off the grid), no free wires, and forged witnesses rejected.
@Suite struct ComparisonAndTreeTests {
    static let scale = 5
    static let settings = CompilerSettings(activationScale: scale)
    /// Every input of [-1, 1] on the activation grid.
    static let grid = (-(1 << scale)...(1 << scale)).map { Double($0) / Double(1 << scale) }

    static func compile(_ graph: Graph) throws -> (PreparedGraph, QuantizedModel) {
        let prepared = try Declutter.run(try FoldConstants.run(graph))
        return (prepared, try Quantization.quantize(prepared, settings: settings, visibility: Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0.name, .public) })))
    }

    /// The circuit's decoded outputs for one input, after checking satisfaction and the interpreter.
    static func run(_ model: QuantizedModel, _ inputs: [[Double]]) throws -> (LoweredModel, [[Double]]) {
        let integers = try model.quantizeInputs(inputs)
        let lowered = try Lowering.lower(model, inputs: integers)
        try lowered.r1cs.checkSatisfied(by: lowered.witness)
        #expect(lowered.values == (try IntegerInterpreter.run(model, inputs: integers)))
        return (lowered, model.outputs.indices.map { model.decode(model.outputs[$0], lowered.outputs[$0]) })
    }

    static func expectNoFreeWires(_ lowered: LoweredModel, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var random = SplitMix64(seed: 5)
        let report = try UnderconstraintAudit.run(lowered.r1cs, witness: lowered.witness, random: &random)
        #expect(report.findings.isEmpty, "free wires: \(report.findings.prefix(5))", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal"])
    func comparisonWithAConstantMatchesFloatAtTheThresholdAndAwayFromIt(_ type: String) throws {
        // 0.25 is on the grid, 0.3 and -0.71 are not: an input equal to the threshold is decided as float decides it,
        // and so is every grid input except the one nearest an off-grid threshold (its flip margin).
        let unit = Double(1 << Self.scale)
        for threshold in [0.25, 0.3, -0.71] {
            for constantFirst in [false, true] {
                var b = GraphBuilder(type, inputs: [("x", [1])])
                let t = b.constant(Tensor(shape: [1], elements: [threshold]))
                b.output(b.node(type, constantFirst ? [t, "x"] : ["x", t]))
                let (prepared, model) = try Self.compile(b.graph)
                var differing = 0
                for x in Self.grid + [threshold] {
                    let (_, outputs) = try Self.run(model, [[x]])
                    let reference = try FloatInterpreter.outputs(prepared, model, inputs: [[x]])
                    let nearest = (x * unit).rounded() == (threshold * unit).rounded() && x != threshold
                    if nearest {
                        differing += outputs[0] == reference[0] ? 0 : 1
                    } else {
                        #expect(outputs[0] == reference[0], "\(type)(\(constantFirst ? "\(threshold), \(x)" : "\(x), \(threshold)"))")
                    }
                }
                #expect(differing <= 1)
                let (lowered, _) = try Self.run(model, [[threshold]])
                try Self.expectNoFreeWires(lowered)
            }
        }
    }

    @Test(arguments: ["Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal"])
    func comparisonOfTwoActivationsIsExactIncludingTies(_ type: String) throws {
        var b = GraphBuilder(type, inputs: [("a", [1]), ("b", [1])])
        b.output(b.node(type, ["a", "b"]))
        let (prepared, model) = try Self.compile(b.graph)
        for a in stride(from: -1.0, through: 1.0, by: 0.125) {
            for delta in [-2.0, -1.0, 0.0, 1.0, 2.0] {
                let other = min(1, max(-1, a + delta / 32))
                let (_, outputs) = try Self.run(model, [[a], [other]])
                #expect(outputs[0] == (try FloatInterpreter.outputs(prepared, model, inputs: [[a], [other]]))[0], "\(type)(\(a), \(other))")
            }
        }
    }

    @Test func logicOfComparisonsAndWhereMatchFloat() throws {
        var b = GraphBuilder("logic", inputs: [("x", [2])])
        let low = b.node("Greater", ["x", b.constant(Tensor(shape: [], elements: [-0.5]))])
        let high = b.node("LessOrEqual", ["x", b.constant(Tensor(shape: [], elements: [0.5]))])
        let inside = b.node("And", [low, high])
        b.output(inside, b.node("Or", [low, b.node("Not", [high])]), b.node("Xor", [low, high]))
        b.output(b.node("Where", [inside, "x", b.constant(Tensor(shape: [2], elements: [3, -2]))]))
        b.output(b.node("Cast", [b.node("Cast", ["x"], ["to": .int(9)])], ["to": .int(1)]))
        let (prepared, model) = try Self.compile(b.graph)
        for x in Self.grid {
            let inputs = [[x, -x]]
            let (lowered, outputs) = try Self.run(model, inputs)
            let reference = try FloatInterpreter.outputs(prepared, model, inputs: inputs)
            for index in outputs.indices { #expect(outputs[index] == reference[index], "output \(index) at x = \(x)") }
            if x == 0.5 { try Self.expectNoFreeWires(lowered) }
        }
    }

    @Test func logicOnAValueThatIsNotBooleanIsRefused() throws {
        var b = GraphBuilder("and", inputs: [("x", [2])])
        b.output(b.node("And", ["x", "x"], name: "both"))
        let error = #expect(throws: ModelError.self) { try Self.compile(b.graph) }
        #expect(error?.description.contains("node 'both'") == true && error?.description.contains("needs booleans") == true)
    }

    /// A depth-2 tree on two features: x0 ≤ 0.25 ? (x1 < -0.5 ? leaf A : leaf B) : leaf C, three classes.
    static func tree(post: String = "NONE") -> Graph {
        var b = GraphBuilder("tree", inputs: [("x", [1, 2])])
        let attributes: [String: Attribute] = [
            "nodes_treeids": .ints([0, 0, 0, 0, 0]), "nodes_nodeids": .ints([0, 1, 2, 3, 4]), "nodes_featureids": .ints([0, 1, 0, 0, 0]),
            "nodes_values": .floats([0.25, -0.5, 0, 0, 0]), "nodes_modes": .strings(["BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF"]),
            "nodes_truenodeids": .ints([1, 3, 0, 0, 0]), "nodes_falsenodeids": .ints([2, 4, 0, 0, 0]),
            "class_treeids": .ints([0, 0, 0, 0, 0, 0]), "class_nodeids": .ints([3, 4, 4, 2, 2, 2]), "class_ids": .ints([0, 1, 2, 0, 1, 2]),
            "class_weights": .floats([1, 0.75, 0.25, 0.1, 0.2, 0.7]), "classlabels_int64s": .ints([0, 1, 2]), "post_transform": .string(post),
        ]
        b.node("TreeEnsembleClassifier", ["x"], attributes, name: "forest", outputs: 2)
        b.output("forest.0", "forest.1")
        return b.graph
    }

    @Test(arguments: ["NONE", "SOFTMAX", "LOGISTIC"])
    func treeEnsembleMatchesFloatOnEveryGridInput(_ post: String) throws {
        let (prepared, model) = try Self.compile(Self.tree(post: post))
        for x0 in Self.grid where Int(x0 * 32) % 4 == 0 || abs(x0 - 0.25) < 0.1 {
            for x1 in [-1, -0.53125, -0.5, -0.46875, 0, 1] {
                let (_, outputs) = try Self.run(model, [[x0, x1]])
                let reference = try FloatInterpreter.outputs(prepared, model, inputs: [[x0, x1]])
                #expect(outputs[0] == reference[0], "label at (\(x0), \(x1))")
                let worst = zip(outputs[1], reference[1]).map { abs($0 - $1) }.max()!
                #expect(worst <= model.outputs[1].errorBound, "probabilities at (\(x0), \(x1)): \(worst) above \(model.outputs[1].errorBound)")
            }
        }
    }

    @Test func treeCostsOneComparisonAndOneProductPerNode() throws {
        let (_, model) = try Self.compile(Self.tree())
        let report = try CostReport.of(model)
        let comparisons = report.layers.filter { $0.bitWidths.hasPrefix("d >= 0") }
        #expect(comparisons.count == 2)
        #expect(comparisons.allSatisfy { $0.constraints == Int($0.bitWidths.split(separator: ",")[1].dropLast().trimmingCharacters(in: .whitespaces))! + 1 })
        #expect(report.layers.filter { $0.bitWidths.contains("products") }.map(\.constraints) == [1])
    }

    @Test func aForgedTreeWitnessIsRejected() throws {
        let (_, model) = try Self.compile(Self.tree())
        // At the threshold (x0 = 0.25 takes the true branch) against just past it (the false branch, leaf C).
        let (atThreshold, outputs) = try Self.run(model, [[0.25, 0]])
        let (pastThreshold, other) = try Self.run(model, [[0.28125, 0]])
        #expect(outputs[0] == [1] && other[0] == [2])
        try Self.expectNoFreeWires(atThreshold)
        // Wrong branch: the other input's witness (its decision bits, reach bits and leaf scores) claimed for this input.
        var wrongBranch = pastThreshold.witness
        let inputs = (1 + atThreshold.r1cs.publicOutputCount)...(atThreshold.r1cs.publicOutputCount + atThreshold.r1cs.publicInputCount)
        for position in inputs { wrongBranch[position] = atThreshold.witness[position] }
        #expect(!atThreshold.r1cs.isSatisfied(by: wrongBranch))
        // Wrong leaf value or label: any single public output changed.
        for position in 1...atThreshold.r1cs.publicOutputCount {
            var forged = atThreshold.witness
            forged[position] += .one
            #expect(!atThreshold.r1cs.isSatisfied(by: forged))
        }
        // Every private wire changed alone (a decision bit, a reach bit, a non-boolean condition): rejected.
        for position in (atThreshold.r1cs.publicCount + 1)..<atThreshold.witness.count {
            var forged = atThreshold.witness
            forged[position] += .one
            #expect(!atThreshold.r1cs.isSatisfied(by: forged), "wire \(position) changed alone still satisfies")
        }
    }

    @Test func regressorAggregatesSumAverageMinAndMax() throws {
        for aggregate in ["SUM", "AVERAGE", "MIN", "MAX"] {
            var b = GraphBuilder("regressor", inputs: [("x", [1, 1])])
            let attributes: [String: Attribute] = [
                "nodes_treeids": .ints([0, 0, 0, 1, 1, 1]), "nodes_nodeids": .ints([0, 1, 2, 0, 1, 2]), "nodes_featureids": .ints([0, 0, 0, 0, 0, 0]),
                "nodes_values": .floats([0, 0, 0, 0.5, 0, 0]), "nodes_modes": .strings(["BRANCH_GT", "LEAF", "LEAF", "BRANCH_GTE", "LEAF", "LEAF"]),
                "nodes_truenodeids": .ints([1, 0, 0, 1, 0, 0]), "nodes_falsenodeids": .ints([2, 0, 0, 2, 0, 0]),
                "target_treeids": .ints([0, 0, 1, 1]), "target_nodeids": .ints([1, 2, 1, 2]), "target_ids": .ints([0, 0, 0, 0]),
                "target_weights": .floats([1.5, -0.5, 0.25, 2]), "n_targets": .int(1), "aggregate_function": .string(aggregate), "base_values": .floats([0.125]),
            ]
            b.output(b.node("TreeEnsembleRegressor", ["x"], attributes))
            let (prepared, model) = try Self.compile(b.graph)
            for x in Self.grid {
                let (_, outputs) = try Self.run(model, [[x]])
                let reference = try FloatInterpreter.outputs(prepared, model, inputs: [[x]])
                #expect(abs(outputs[0][0] - reference[0][0]) <= model.outputs[0].errorBound, "\(aggregate) at \(x)")
            }
        }
    }
}
