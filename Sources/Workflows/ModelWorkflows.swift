import Algebra
import ConstraintSystem
import Formats
import Foundation
import Gadgets
import Groth16
import ModelCompiler
import ModelFrontend
import ModelIR

/// The model jobs behind `zkinfer compile`, `inspect`, `setup`, `prove` and `verify` on a model directory.
///
/// A model directory holds `compiled.json` (the quantized model, its settings, calibration and cost), `circuit.r1cs`,
/// `cost.json`, and after setup `circuit.zkey` and `verification_key.json`; `prove` adds `witness.wtns`,
/// `proof.json`, `public.json` and `output.json`. Every file is written atomically.
public enum ModelWorkflows {
    /// The compiled artifact stored as `compiled.json`.
    public struct CompiledModel: Sendable, Codable {
        public static let formatTag = "zkinfer-compiled/2"
        public var format = formatTag
        public var source: String
        /// The public signals in order, in words.
        public var publicLayout: String
        public var model: QuantizedModel
        public var calibration: Calibration.Report?
        public var importNotes: [String]
        public var cost: CostReport
        /// The Poseidon commitment to the compiled weights (hashed weights only), in decimal.
        public var weightCommitment: String?
    }

    public struct Files: Sendable {
        public let directory: URL
        public init(_ directory: String) { self.directory = URL(fileURLWithPath: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        public var compiled: String { path("compiled.json") }
        public var r1cs: String { path("circuit.r1cs") }
        public var cost: String { path("cost.json") }
        public var zkey: String { path("circuit.zkey") }
        public var verificationKey: String { path("verification_key.json") }
        public var witness: String { path("witness.wtns") }
        public var proof: String { path("proof.json") }
        public var publicSignals: String { path("public.json") }
        public var output: String { path("output.json") }
    }

    /// What the user asked of the compiler besides the model.
    public struct Options: Sendable {
        public var settings: CompilerSettings?
        /// Visibility of every input, or of named ones (`nil` key: the default).
        public var visibility: [String: InputVisibility] = [:]
        public var defaultVisibility: InputVisibility = .private
        /// Real ranges by input name; `defaultRange` for the rest (ONNX has no ranges of its own).
        public var ranges: [String: ClosedRange<Double>] = [:]
        public var defaultRange: ClosedRange<Double>?
        public var shapes: [String: [Int]] = [:]
        public var weights: WeightVisibility = .fixed
        public var calibrationPath: String?
        /// Drop a final Softmax or LogSoftmax and prove its logits (`compile --final-softmax logits`).
        public var outputLogits = false
        /// Calibrated ranges with this margin (`compile --ranges calibrated`); nil: proven ranges.
        public var rangeMargin: Double?

        public init(settings: CompilerSettings? = nil) { self.settings = settings }

        /// Every input's visibility: named, else the default.
        public func visibility(of graph: Graph) -> [String: InputVisibility] {
            var result: [String: InputVisibility] = [:]
            for input in graph.inputs { result[input.name] = visibility[input.name] ?? defaultVisibility }
            return result
        }
    }

    /// Reads a model from `.onnx` or zkinfer JSON into the tensor graph.
    public static func loadGraph(_ path: String, shapes: [String: [Int]] = [:]) throws(Workflows.Failure) -> Graph {
        let data = Data(try read(path))
        do {
            if path.lowercased().hasSuffix(".onnx") {
                let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                return try ONNXImporter.importModel(data, name: name, inputShapes: shapes)
            }
            return try ModelJSON.decode(data)
        } catch {
            throw .input(FormatError(file: path, problem: error.description))
        }
    }

    /// The graph folded and decluttered, with every input's range resolved (given, from samples, or the default),
    /// and the notes to show the user.
    /// `loaded` is the graph of `modelPath` when the caller has read it already.
    public static func prepare(
        _ modelPath: String, options: Options, samples: [[[Double]]]? = nil, loaded: Graph? = nil
    ) throws(Workflows.Failure) -> (prepared: PreparedGraph, notes: [String]) {
        var graph: Graph
        if let loaded { graph = loaded } else { graph = try loadGraph(modelPath, shapes: options.shapes) }
        var notes = ["opset \(graph.opset)"]
        for name in options.ranges.keys where !graph.inputs.contains(where: { $0.name == name }) {
            throw .input(FormatError(file: "--input-range", problem: "names '\(name)', which is not a graph input (inputs: \(graph.inputs.map(\.name).joined(separator: ", ")))"))
        }
        for name in options.visibility.keys where !graph.inputs.contains(where: { $0.name == name }) {
            throw .input(FormatError(file: "--input", problem: "names '\(name)', which is not a graph input (inputs: \(graph.inputs.map(\.name).joined(separator: ", ")))"))
        }
        // A named range, then --input-range for all, then the samples, then the model's own, then 0...1.
        for (index, input) in graph.inputs.enumerated() {
            let values = (samples ?? []).compactMap { $0.count > index ? $0[index] : nil }.joined()
            if let range = options.ranges[input.name] ?? options.defaultRange {
                graph.inputs[index].range = range
            } else if let low = values.min(), let high = values.max() {
                let range = min(low, 0)...max(high, low == high ? high + 1 : high)
                graph.inputs[index].range = range
                notes.append("input '\(input.name)' range \(range.lowerBound)...\(range.upperBound) (from the samples)")
            } else if graph.inputs[index].range == nil {
                graph.inputs[index].range = 0...1
                if input.type.elementType != .bool {
                    notes.append("input '\(input.name)' range 0...1 (default; set it with --input-range)")
                }
            }
        }
        do {
            var prepared = try FoldConstants.run(graph)
            prepared = try Declutter.run(prepared, dropFinalSoftmax: options.outputLogits)
            return (prepared, notes + prepared.notes)
        } catch {
            throw .input(FormatError(file: modelPath, problem: error.description))
        }
    }

    /// Compiles a model into `directory`: nothing is written unless every step succeeds.
    public static func compile(modelPath: String, directory: String, options: Options) throws(Workflows.Failure) -> CompiledModel {
        let graph = try loadGraph(modelPath, shapes: options.shapes)
        let samples = try options.calibrationPath.map { path throws(Workflows.Failure) in try ModelInputs.read(path, inputs: graph.inputs) }
        let (prepared, notes) = try prepare(modelPath, options: options, samples: samples, loaded: graph)
        let visibility = options.visibility(of: prepared.graph)
        var chosen = options.settings ?? CompilerSettings()
        chosen.rangeMargin = options.rangeMargin
        var report: Calibration.Report?
        do {
            let observed = try observedRanges(prepared, samples: samples, options: options)
            if let samples, options.settings == nil {
                let calibration = try Calibration.calibrate(
                    prepared, samples: samples, weights: options.weights, visibility: visibility, rangeMargin: options.rangeMargin, observed: observed)
                chosen = calibration.chosen.settings
                report = calibration
            }
            let quantized = try Quantization.quantize(prepared, settings: chosen, weights: options.weights, visibility: visibility, observed: observed)
            let lowered = try Lowering.lower(quantized, inputs: quantized.layoutInputs)
            let cost = CostReport(model: quantized, lowered: lowered)
            var compiled = CompiledModel(
                source: modelPath, publicLayout: publicLayout(quantized), model: quantized, calibration: report, importNotes: notes, cost: cost)
            if options.weights == .hashed {
                compiled.weightCommitment = WeightCommitment.commit(quantized.committedParameters).decimal
            }
            if options.weights == .private {
                compiled.importNotes.append("weights are private and unbound: anyone can prove any output; use for benchmarks only")
            }
            let files = Files(directory)
            try createDirectory(directory)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try writeAll([
                (files.r1cs, R1CSFile.encode(lowered.r1cs)),
                (files.cost, Array(cost.json)),
                (files.compiled, Array(try encoder.encode(compiled))),
            ])
            return compiled
        } catch let error as ModelError {
            throw .input(FormatError(file: modelPath, problem: error.description))
        } catch let error as Workflows.Failure {
            throw error
        } catch {
            throw .rejected("\(error)")
        }
    }

    /// With calibrated ranges, what float inference reaches on the samples; they are required.
    public static func observedRanges(_ prepared: PreparedGraph, samples: [[[Double]]]?, options: Options) throws -> ObservedRanges? {
        guard options.rangeMargin != nil else { return nil }
        guard let samples else {
            throw Workflows.Failure.input(FormatError(file: "--ranges", problem: "calibrated ranges need calibration samples (--calibration)"))
        }
        return try ObservedRanges.observe(prepared, samples: samples)
    }

    /// The public signals in order, in words.
    static func publicLayout(_ model: QuantizedModel) -> String {
        var parts = model.outputs.map { output in
            "\(Shape.count(output.shape)) \(output.name) " + (output.isIndex ? "(indices)" : "(integers at scale 2^-\(output.scale))")
        }
        for input in model.inputs where input.visibility == .public {
            parts.append("\(Shape.count(input.shape)) \(input.name) inputs (integers at scale 2^-\(model.tensors[input.tensor].scale))")
        }
        for input in model.inputs where input.visibility == .hashed { parts.append("the commitment to input \(input.name)") }
        if model.weightVisibility == .hashed { parts.append("the weight commitment") }
        return parts.joined(separator: ", then ")
    }

    public static func readCompiled(_ directory: String) throws(Workflows.Failure) -> CompiledModel {
        try decodeCompiled(CompiledModel.self, Files(directory).compiled)
    }

    private struct FormatTag: Decodable { var format: String }

    /// `compiled.json` (or the part of it `type` reads), after checking its format tag.
    static func decodeCompiled<T: Decodable>(_ type: T.Type, _ path: String) throws(Workflows.Failure) -> T {
        let bytes = Data(try read(path))
        do {
            let tag = try JSONDecoder().decode(FormatTag.self, from: bytes)
            guard tag.format == CompiledModel.formatTag else {
                throw FormatError(file: path, problem: "unsupported format '\(tag.format)' (this zkinfer reads '\(CompiledModel.formatTag)'; compile again)")
            }
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch let error as FormatError {
            throw .input(error)
        } catch {
            throw .input(FormatError(file: path, problem: "is not a compiled zkinfer model (\(error))"))
        }
    }

    /// One proved output, decoded.
    public struct ProvedOutput: Sendable, Codable {
        public var name: String
        public var shape: [Int]
        /// The output as reals (indices for ArgMax outputs).
        public var values: [Double]
        /// The integers the circuit outputs (public signals).
        public var integers: [Int]
        public var scale: Int
        /// What was proved, when it is not the graph's own tensor (for example a dropped final Softmax).
        public var proved: String?
    }

    /// The result of proving one inference.
    public struct Inference: Sendable, Codable {
        public var outputs: [ProvedOutput]
        /// The first output's values (kept for single-output callers).
        public var output: [Double]
        public var integerOutput: [Int]
        public var outputScale: Int
        /// The index of the largest element of the first output (its value for an index output).
        public var predictedClass: Int
        /// The public commitment to the weights used (hashed weights only), in decimal.
        public var weightCommitment: String?
    }

    /// Computes the witness for `inputPath`, writes it, proves it and writes proof, public signals and decoded output.
    /// With `weightsPath` (hashed or private weights only), proves with that model's weights: a retrained model of
    /// the compiled architecture, quantized at the compiled scales, needs no new setup.
    public static func prove(
        directory: String, inputPath: String, weightsPath: String? = nil, progress: Groth16.Progress? = nil
    ) throws(Workflows.Failure) -> Inference {
        let files = Files(directory)
        var compiled = try readCompiled(directory)
        if let weightsPath {
            guard compiled.model.weightVisibility != .fixed else {
                throw .input(FormatError(file: weightsPath, problem: "the model was compiled with fixed weights; new weights need compile and setup"))
            }
            var options = Options()
            for input in compiled.model.inputs { options.ranges[input.name] = input.declaredRange }
            options.outputLogits = compiled.model.outputs.contains { $0.reference != $0.name }
            let (prepared, _) = try prepare(weightsPath, options: options)
            do { compiled.model = try Quantization.quantize(prepared, matching: compiled.model) } catch {
                throw .input(FormatError(file: weightsPath, problem: error.description))
            }
        }
        progress?("witness", 0)
        let lowered = try lower(compiled, inputPath: inputPath)
        let key: ProvingKey
        do {
            progress?("reading the proving key", 0)
            key = try ZKeyFile.read(files.zkey)
            try WitnessFile.write(lowered.witness, to: files.witness)
        } catch { throw .input(error) }
        _ = try Workflows.prove(
            key: key, zkeyPath: files.zkey, witness: lowered.witness, witnessPath: files.witness, r1csPath: nil, proofPath: files.proof,
            publicPath: files.publicSignals, binaryProofPath: nil, progress: progress)
        let model = compiled.model
        let outputs = zip(model.outputs, lowered.outputs).map { output, integers in
            ProvedOutput(name: output.name, shape: output.shape, values: model.decode(output, integers), integers: integers,
                         scale: output.scale, proved: output.note)
        }
        let first = outputs[0]
        let predicted = model.outputs[0].isIndex ? first.integers[0] : first.values.firstIndex(of: first.values.max()!)!
        let inference = Inference(
            outputs: outputs, output: first.values, integerOutput: first.integers, outputScale: first.scale, predictedClass: predicted,
            weightCommitment: model.weightVisibility == .hashed ? lowered.witness[lowered.r1cs.publicCount].decimal : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try FileIO.writeAtomically(Array(try! encoder.encode(inference)), to: files.output) } catch { throw .input(error) }
        return inference
    }

    /// The model run on one input (a file of one sample): its witness and outputs.
    static func lower(_ compiled: CompiledModel, inputPath: String) throws(Workflows.Failure) -> LoweredModel {
        let graphInputs = compiled.model.inputs.map { GraphInput(name: $0.name, type: TensorType(.float, $0.shape), range: $0.declaredRange) }
        let samples = try ModelInputs.read(inputPath, inputs: graphInputs)
        guard samples.count == 1 else { throw .input(FormatError(file: inputPath, problem: "holds \(samples.count) samples; prove takes one")) }
        do {
            let quantized = try compiled.model.quantizeInputs(samples[0])
            return try Lowering.lower(compiled.model, inputs: quantized)
        } catch {
            throw .input(FormatError(file: inputPath, problem: error.description))
        }
    }

    /// What `verify` on a model directory reports.
    public struct Verification: Sendable, Codable {
        public var valid: Bool
        /// Each public output with what it proves (for example "logits: Softmax dropped, the argmax is unchanged").
        public var outputs: [OutputDescription]

        public struct OutputDescription: Sendable, Codable {
            public var name: String
            public var shape: [Int]
            public var scale: Int
            public var proved: String
        }
    }

    /// Verifies the proof in a model directory; with `expectedOutput`, also requires the public outputs to encode it
    /// (all outputs concatenated, compared after quantizing at each output's scale, indices as integers).
    /// With `expectedCommitment` (hashed weights), also requires the proof's weight commitment (the last public signal).
    /// With `describe`, the report names what each output proves (read from `compiled.json`); without it and without
    /// expectations, only the proof is checked.
    public static func verify(
        directory: String, expectedOutput: [Double]? = nil, expectedCommitment: String? = nil, proofPath: String? = nil,
        publicPath: String? = nil, describe: Bool = true
    ) throws(Workflows.Failure) -> Verification {
        let files = Files(directory)
        let publicPath = publicPath ?? files.publicSignals
        let (valid, signals) = try Workflows.verifyReadingSignals(
            verificationKeyPath: files.verificationKey, proofPath: proofPath ?? files.proof, publicPath: publicPath)
        guard describe || expectedOutput != nil || expectedCommitment != nil else { return Verification(valid: valid, outputs: []) }
        // Only the outputs' descriptions: decoding the whole compiled model (its weights) would dominate verify.
        struct Summary: Decodable {
            struct Model: Decodable { var outputs: [QuantizedOutput] }
            var model: Model
        }
        let summary = try decodeCompiled(Summary.self, files.compiled)
        let descriptions = summary.model.outputs.map {
            Verification.OutputDescription(name: $0.name, shape: $0.shape, scale: $0.scale, proved: $0.note ?? "\($0.name): as computed by the model")
        }
        var result = Verification(valid: valid, outputs: descriptions)
        guard valid, expectedOutput != nil || expectedCommitment != nil else { return result }
        let compiled = try readCompiled(directory)
        let model = compiled.model
        if let expectedCommitment {
            guard model.weightVisibility == .hashed else {
                throw .input(FormatError(file: files.compiled, problem: "the model's weights are not hashed, so there is no commitment"))
            }
            guard let commitment = try? Fr(decimal: expectedCommitment) else {
                throw .input(FormatError(file: "--commitment", problem: "is not a decimal field element below r"))
            }
            if signals.last != commitment { result.valid = false }
        }
        if let expectedOutput {
            guard expectedOutput.count == model.outputCount else {
                throw .input(FormatError(file: publicPath, problem: "the expected output has \(expectedOutput.count) values, the model has \(model.outputCount)"))
            }
            var expected: [Fr] = []
            var position = 0
            for output in model.outputs {
                let unit = output.isIndex ? 1 : Double(1 << output.scale)
                for _ in 0..<Shape.count(output.shape) {
                    expected.append(Fr(signed: Int((expectedOutput[position] * unit).rounded())))
                    position += 1
                }
            }
            if Array(signals.prefix(model.outputCount)) != expected { result.valid = false }
        }
        return result
    }

    /// Rough cost of setting up and proving a circuit on a 2-core x86-64 machine, from this machine's benchmarks.
    public struct Estimate: Sendable {
        public var domainLogSize: Int
        public var setupSeconds: Double
        public var proveSeconds: Double
        public var provingKeyMiB: Double
        public var proverMiB: Double

        public init(constraints: Int, wires: Int, publicSignals: Int) {
            // Beyond Groth16's largest domain the estimate still extrapolates (setup would refuse the circuit).
            let rows = constraints + publicSignals + 1
            domainLogSize = (try? Groth16.domainLogSize(constraintCount: constraints, publicCount: publicSignals))
                ?? Int.bitWidth - (rows - 1).leadingZeroBitCount
            let domain = Double(1 << domainLogSize)
            // Fitted to the CLI on this project's benchmark models (Benchmarks/results/zkinfer-vs-ezkl.md): about
            // 0.3 s of setup and 0.15 s of proving per 2^14 rows, plus fixed costs.
            setupSeconds = 0.3 * domain / 16384 + 0.2
            proveSeconds = 0.15 * domain / 16384 + 0.35
            // G1 points are 64 bytes and G2 points 128: A, B1, C and H in G1, B2 in G2, plus the coefficients.
            provingKeyMiB = (Double(wires) * (64 * 3 + 128) + domain * 64 + Double(constraints) * 3 * 44) / 1_048_576
            proverMiB = provingKeyMiB * 1.5 + domain * 32 * 8 / 1_048_576 + 20
        }
    }

    private static func read(_ path: String) throws(Workflows.Failure) -> [UInt8] {
        do { return try FileIO.read(path) } catch { throw .input(error) }
    }

    private static func createDirectory(_ path: String) throws(Workflows.Failure) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .input(FormatError(file: path, problem: "cannot create the directory (\(error.localizedDescription))"))
        }
    }

    /// Writes each file atomically; if one fails, removes those already written by this call.
    private static func writeAll(_ files: [(String, [UInt8])]) throws(Workflows.Failure) {
        var written: [String] = []
        for (path, bytes) in files {
            do {
                try FileIO.writeAtomically(bytes, to: path)
                written.append(path)
            } catch {
                for path in written { try? FileManager.default.removeItem(atPath: path) }
                throw .input(error)
            }
        }
    }
}
