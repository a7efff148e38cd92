import Algebra
import ConstraintSystem
import Foundation
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// RNN, GRU and LSTM unrolled, and TopK: outputs within their error bounds of float inference on random inputs, the
/// circuit equal to the integer interpreter, no free wires, and single-wire forgeries rejected.
@Suite struct RecurrentAndTopKTests {
    static func layer(_ type: String, direction: String = "forward", attributes extra: [String: Attribute] = [:], initial: Bool = false) -> Graph {
        var random = SplitMix64(seed: 21)
        let gates = ["RNN": 1, "GRU": 3, "LSTM": 4][type]!
        let (hidden, width, directions) = (3, 2, direction == "bidirectional" ? 2 : 1)
        var b = GraphBuilder(type, inputs: [("x", [4, 1, width])])
        var inputs = ["x", b.random([directions, gates * hidden, width], scale: 0.8, &random), b.random([directions, gates * hidden, hidden], scale: 0.5, &random),
                      b.random([directions, 2 * gates * hidden], scale: 0.2, &random)]
        if initial {
            inputs += ["", b.random([directions, 1, hidden], scale: 0.3, &random)]
            if type == "LSTM" { inputs.append(b.random([directions, 1, hidden], scale: 0.3, &random)) }
        }
        var attributes: [String: Attribute] = ["hidden_size": .int(hidden), "direction": .string(direction)]
        attributes.merge(extra) { $1 }
        b.node(type, inputs, attributes, name: "cell", outputs: type == "LSTM" ? 3 : 2)
        b.output("cell.0", "cell.1")
        return b.graph
    }

    @Test func lstmForwardAndBidirectionalMatchFloatWithinTheirBounds() throws {
        try checkModel(Self.layer("LSTM"), samples: 2)
        try checkModel(Self.layer("LSTM", direction: "bidirectional", initial: true), samples: 2)
    }

    @Test func gruBothResetFormsAndReverseMatchFloat() throws {
        try checkModel(Self.layer("GRU", attributes: ["linear_before_reset": .int(0)]), samples: 2)
        try checkModel(Self.layer("GRU", direction: "reverse", attributes: ["linear_before_reset": .int(1)], initial: true), samples: 2)
    }

    @Test func rnnWithTanhAndReluMatchesFloat() throws {
        try checkModel(Self.layer("RNN", direction: "bidirectional"), samples: 2)
        try checkModel(Self.layer("RNN", attributes: ["activations": .strings(["Relu"])]), samples: 2)
    }

    @Test func unsupportedRecurrentAttributesAreRefusedByName() throws {
        let error = #expect(throws: ModelError.self) { try checkModel(Self.layer("LSTM", attributes: ["clip": .float(3)]), samples: 1) }
        #expect(error?.description.contains("node 'cell'") == true && error?.description.contains("clip") == true)
    }

    static func topK(largest: Int) -> Graph {
        var b = GraphBuilder("topk", inputs: [("x", [2, 6])])
        b.node("TopK", ["x", b.integers([3])], ["axis": .int(1), "largest": .int(largest)], name: "top", outputs: 2)
        b.output("top.0", "top.1")
        return b.graph
    }

    @Test func topKValuesAndIndicesMatchFloatIncludingTies() throws {
        for largest in [1, 0] {
            let (prepared, model, _) = try checkModel(Self.topK(largest: largest), samples: 4)
            // Ties: equal values come out lower index first, as onnxruntime orders them.
            let tied: [[Double]] = [[0.5, -0.25, 0.5, 0.5, -0.25, 0], [0, 0, 0, 0, 0, 0]]
            let lowered = try Lowering.lower(model, inputs: try model.quantizeInputs([tied.flatMap { $0 }]))
            let reference = try FloatInterpreter.outputs(prepared, model, inputs: [tied.flatMap { $0 }])
            #expect(model.decode(model.outputs[1], lowered.outputs[1]) == reference[1])
            #expect(model.decode(model.outputs[0], lowered.outputs[0]) == reference[0])
        }
    }

    @Test func aTopKWitnessThatOmitsALargerElementIsRejected() throws {
        let (_, model, lowered) = try checkModel(Self.topK(largest: 1), samples: 1)
        // Claiming the second-largest as the largest: swap the first two (values, indices) public outputs.
        var forged = lowered.witness
        let values = lowered.outputs[0]
        #expect(values[0] >= values[1])
        forged.swapAt(1, 2)
        forged.swapAt(1 + values.count, 2 + values.count)
        #expect(values[0] == values[1] || !lowered.r1cs.isSatisfied(by: forged))
        // Any private wire changed alone (a selector bit, a difference bit, an index) is rejected.
        for position in (lowered.r1cs.publicCount + 1)..<lowered.witness.count {
            var single = lowered.witness
            single[position] += .one
            #expect(!lowered.r1cs.isSatisfied(by: single), "wire \(position) changed alone still satisfies")
        }
        _ = model
    }
}
