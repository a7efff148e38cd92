import Algebra
import ConstraintSystem
import Foundation
import Groth16
import ModelCompiler
import ModelFrontend
import ModelIR
import Testing
import TestSupport

@Suite struct EndToEndTests {
    @Test func smallNetworkFromVersion1JSONIsProvedAndAForgedOutputIsNot() throws {
        let data = try Data(contentsOf: Fixtures.url("models/small-network.json"))
        let graph = try ModelJSON.decode(data)
        #expect(Set(graph.nodes.map(\.type)) == ["Conv", "Relu", "Add", "MaxPool", "AveragePool", "Flatten", "Gemm", "Sigmoid"])
        let (_, model, lowered) = try checkModel(graph, samples: 3, seed: 5)

        let key = try Groth16.setup(lowered.r1cs)
        let proof = try Groth16.prove(key: key, witness: lowered.witness)
        let publicSignals = Array(lowered.witness[1...lowered.r1cs.publicCount])
        #expect(try Groth16.verify(key: key.verifyingKey, publicSignals: publicSignals, proof: proof))
        var forged = publicSignals
        forged[0] += .one
        #expect(try !Groth16.verify(key: key.verifyingKey, publicSignals: forged, proof: proof))
        var witness = lowered.witness
        witness[1] += .one
        #expect(!lowered.r1cs.isSatisfied(by: witness))
        #expect(model.outputCount == 4)
    }

    @Test func version2JSONRoundTripsAndBadModelsAreNamed() throws {
        let data = try Data(contentsOf: Fixtures.url("models/small-network.json"))
        let graph = try ModelJSON.decode(data)
        let encoded = try ModelJSON.encode(graph)
        #expect(try ModelJSON.decode(encoded) == graph)

        func rejects(_ edit: (inout [String: Any]) -> Void, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            var object = try JSONSerialization.jsonObject(with: encoded) as! [String: Any]
            edit(&object)
            let edited = try JSONSerialization.data(withJSONObject: object)
            do {
                _ = try FoldConstants.run(try ModelJSON.decode(edited))
                Issue.record("accepted a bad model (\(text))", sourceLocation: sourceLocation)
            } catch {
                #expect(error.description.contains(text), "\(error.description)", sourceLocation: sourceLocation)
            }
        }
        func editNode(_ name: String, _ body: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { object in
                var nodes = object["nodes"] as! [[String: Any]]
                let index = nodes.firstIndex { $0["name"] as? String == name }!
                body(&nodes[index])
                object["nodes"] = nodes
            }
        }
        try rejects({ $0["format"] = "onnx" }, mentioning: "unsupported format")
        try rejects(editNode("conv1") { $0["op"] = "Lstm" }, mentioning: "node 'conv1': unsupported op type 'Lstm'")
        try rejects(editNode("relu1") { $0["inputs"] = ["nowhere"] }, mentioning: "input 'nowhere'")
        try rejects(editNode("conv1") { $0["attributes"] = ["pads": [1, 1]] }, mentioning: "node 'conv1': Conv: pads [1, 1] need 4")
        try rejects({ $0["outputs"] = ["missing"] }, mentioning: "never produced")
        try rejects({ $0["inputs"] = [["name": "image", "shape": [1, 1, 6, 6], "range": [1, 0]]] }, mentioning: "range must be [low, high]")
        try rejects({ $0.removeValue(forKey: "nodes") }, mentioning: "missing field 'nodes'")
    }

    @Test func version1JSONErrorsStillNameTheNode() throws {
        let data = try Data(contentsOf: Fixtures.url("models/small-network.json"))
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var nodes = object["nodes"] as! [[String: Any]]
        nodes[0].removeValue(forKey: "weight")
        object["nodes"] = nodes
        do {
            _ = try ModelJSON.decode(try JSONSerialization.data(withJSONObject: object))
            Issue.record("accepted a conv2d without weight")
        } catch {
            #expect("\(error)".contains("node 'conv1': conv2d needs 'weight'"))
        }
    }

    @Test func mlpCostTable() throws {
        var random = SplitMix64(seed: 784)
        var b = GraphBuilder("mlp-784-128-10", inputs: [("x", [1, 784])], range: 0...1)
        let h = b.node("Gemm", ["x", b.random([128, 784], scale: 0.05, &random), b.random([128], scale: 0.1, &random)], ["transB": .int(1)], name: "fc1")
        let r = b.node("Relu", [h], name: "relu1")
        b.output(b.node("Gemm", [r, b.random([10, 128], scale: 0.2, &random), b.random([10], scale: 0.1, &random)], ["transB": .int(1)], name: "fc2"))
        let model = try Quantization.quantize(try Declutter.run(try FoldConstants.run(b.graph)))
        let report = try CostReport.of(model)
        print(report.table)
        // Constant weights are free: each linear step costs exactly its rescales (remainder bits, quotient bits, two
        // linear constraints) and, when fused, one ReLU product per output.
        for step in model.steps {
            guard case let .affine(affine) = step.kind else { continue }
            let cost = report.layers.first { $0.name == step.name }!.constraints
            #expect(cost == affine.rowEnds.count * (affine.shift + affine.quotientBits + 2 + (affine.relu ? 1 : 0)))
        }
        #expect(report.layers.map(\.name) == ["x", "fc1+relu1", "fc2", "outputs"])
        #expect(report.layers.first!.constraints == 784 * 9)  // input range checks: 8 bits + recomposition
        let decoded = try JSONDecoder().decode(CostReport.self, from: report.json)
        #expect(decoded == report)
    }
}
