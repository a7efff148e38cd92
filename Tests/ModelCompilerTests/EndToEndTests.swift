import Algebra
import ConstraintSystem
import Foundation
import Groth16
import ModelCompiler
import Testing
import TestSupport

@Suite struct EndToEndTests {
    @Test func smallNetworkFromJSONIsProvedAndAForgedOutputIsNot() throws {
        let data = try Data(contentsOf: Fixtures.url("models/small-network.json"))
        let model = try ModelJSON.decode(data)
        #expect(Set(model.nodes.map(\.operation.name)) == ["conv2d", "relu", "add", "maxpool2d", "averagepool2d", "flatten", "dense", "sigmoid"])
        let (quantized, lowered) = try checkModel(model, samples: 3, seed: 5)

        let key = try Groth16.setup(lowered.r1cs)
        let proof = try Groth16.prove(key: key, witness: lowered.witness)
        let publicSignals = Array(lowered.witness[1...lowered.r1cs.publicCount])
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: publicSignals, proof: proof))
        // Claim another output for the same proof.
        var forged = publicSignals
        forged[0] += .one
        #expect(try !Groth16.verify(key: key.verifyingKey, publicSignals: forged, proof: proof))
        // A witness for a different claimed output cannot be made: set the output wire and the circuit rejects it.
        var witness = lowered.witness
        witness[1] += .one
        #expect(!lowered.r1cs.isSatisfied(by: witness))
        #expect(quantized.outputCount == 4)
    }

    @Test func jsonRoundTripsAndRejectsBadModels() throws {
        let data = try Data(contentsOf: Fixtures.url("models/small-network.json"))
        let model = try ModelJSON.decode(data)
        #expect(try ModelJSON.decode(ModelJSON.encode(model)) == model)

        func rejects(_ edit: (inout [String: Any]) -> Void, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            edit(&object)
            let edited = try JSONSerialization.data(withJSONObject: object)
            do {
                _ = try ModelJSON.decode(edited)
                Issue.record("accepted a bad model (\(text))", sourceLocation: sourceLocation)
            } catch {
                #expect(error.description.contains(text), "\(error.description)", sourceLocation: sourceLocation)
            }
        }
        func editNode(_ index: Int, _ body: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { object in
                var nodes = object["nodes"] as! [[String: Any]]
                body(&nodes[index])
                object["nodes"] = nodes
            }
        }
        try rejects({ $0["format"] = "onnx" }, mentioning: "unsupported format")
        try rejects(editNode(0) { $0["op"] = "lstm" }, mentioning: "unsupported op 'lstm'")
        try rejects(editNode(0) { $0.removeValue(forKey: "weight") }, mentioning: "node 'conv1': conv2d needs 'weight'")
        try rejects(editNode(1) { $0["inputs"] = ["nowhere"] }, mentioning: "input 'nowhere'")
        try rejects(editNode(7) { $0["weight"] = ["shape": [8, 17], "values": Array(repeating: 0.0, count: 136)] }, mentioning: "node 'fc1'")
        try rejects(editNode(7) { $0["weight"] = ["shape": [8, 18], "values": [1.0]] }, mentioning: "1 values")
        try rejects(editNode(3) { $0["inputs"] = ["r1"] }, mentioning: "add takes 2 input(s)")
        try rejects({ $0["output"] = "missing" }, mentioning: "never produced")
        try rejects({ $0["input"] = ["name": "image", "shape": [1, 6, 6], "range": [1, 0]] }, mentioning: "input.range")
        try rejects({ $0.removeValue(forKey: "nodes") }, mentioning: "missing field 'nodes'")
    }

    @Test func mlpCostTable() throws {
        var random = SplitMix64(seed: 784)
        let mlp = model("mlp-784-128-10", input: [784], range: 0...1, [
            node("fc1", .dense(weight: randomTensor([128, 784], scale: 0.05, &random), bias: randomTensor([128], scale: 0.1, &random)), ["x"], "h"),
            node("relu1", .relu, ["h"], "r"),
            node("fc2", .dense(weight: randomTensor([10, 128], scale: 0.2, &random), bias: randomTensor([10], scale: 0.1, &random)), ["r"], "y"),
        ])
        let quantized = try Quantizer.quantize(mlp)
        let report = try CostReport.of(quantized, inputVisibility: .public)
        print(report.table)
        // Constant weights are free: each linear layer costs exactly its rescales (remainder bits, quotient bits,
        // two linear constraints) and, when fused, one ReLU product per output.
        for (layer, cost) in zip(quantized.layers, report.layers.dropFirst()) {
            guard case let .linear(map, _, shift, quotientBits, relu) = layer.kind else { continue }
            #expect(cost.constraints == map.rows.count * (shift + quotientBits + 2 + (relu ? 1 : 0)))
        }
        #expect(report.layers.first!.constraints == 784 * 9)  // input range checks: 8 bits + recomposition
        #expect(report.constraints == report.layers.reduce(0) { $0 + $1.constraints })
        let decoded = try JSONDecoder().decode(CostReport.self, from: report.json)
        #expect(decoded == report)
    }
}
