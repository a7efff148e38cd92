import Algebra
import ConstraintSystem
import Foundation
import ModelCompiler
import ModelFrontend
import ModelIR
import Testing
import TestSupport

/// Every model of the exporter corpora (Fixtures/onnx-corpus, Fixtures/sklearn-corpus) goes through the
/// under-constraint audit: compiled at the default settings, with input ranges from its samples, lowered on a random
/// input in range and audited for free wires.
@Suite struct CorpusAuditTests {
    static let corpora = ["onnx-corpus", "sklearn-corpus"]

    /// FOLDER/FILE of every model.
    static var models: [String] {
        corpora.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url(folder).path)) ?? []).filter { $0.hasSuffix(".onnx") }.sorted().map { "\(folder)/\($0)" }
        }
    }

    /// Every number in a samples file (flat arrays, nested arrays or objects keyed by input name).
    static func numbers(_ value: Any) -> [Double] {
        if let number = value as? NSNumber { return [number.doubleValue] }
        if let array = value as? [Any] { return array.flatMap(numbers) }
        if let object = value as? [String: Any] { return object.keys.sorted().flatMap { numbers(object[$0]!) } }
        return []
    }

    @Test(arguments: models) func corpusModelHasNoFreeWires(_ path: String) throws {
        let (folder, file) = (String(path.prefix { $0 != "/" }), String(path.drop { $0 != "/" }.dropFirst()))
        let corpus = Fixtures.url(folder)
        let base = String(file.prefix { $0 != "." })
        let samples = try JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("\(base).samples.json")))
        var graph = try ONNXImporter.importModel(Data(contentsOf: corpus.appendingPathComponent(file)), name: base)
        // Per input: its values in the samples (objects keyed by name), or all of them for a single input.
        for index in graph.inputs.indices {
            let name = graph.inputs[index].name
            let values = (samples as? [[String: Any]]).map { $0.flatMap { Self.numbers($0[name] ?? []) } } ?? Self.numbers(samples)
            graph.inputs[index].range = min(values.min()!, 0)...values.max()!
        }
        let prepared = try Declutter.run(try FoldConstants.run(graph))
        let model = try Quantization.quantize(prepared)
        var random = SplitMix64(seed: 7)
        let inputs = randomInputs(prepared.graph, &random)
        let lowered = try Lowering.lower(model, inputs: try model.quantizeInputs(inputs))
        #expect(lowered.values == (try IntegerInterpreter.run(model, inputs: try model.quantizeInputs(inputs))))
        var auditRandom = SplitMix64(seed: 11)
        let report = try UnderconstraintAudit.run(lowered.r1cs, witness: lowered.witness, pairLimit: 16, random: &auditRandom)
        #expect(report.wiresChecked > 0)
        #expect(report.findings.isEmpty, "\(file): free wires \(report.findings.prefix(5))")
        print("audit \(file): \(lowered.r1cs.constraints.count) constraints, \(report.wiresChecked) wires, \(report.pairsChecked) pairs, 0 free")
    }
}
