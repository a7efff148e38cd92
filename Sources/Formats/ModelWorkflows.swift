import Algebra
import ConstraintSystem
import Foundation
import Gadgets
import Groth16
import ModelCompiler

/// The model jobs behind `zkinfer compile`, `inspect`, `setup`, `prove` and `verify` on a model directory.
///
/// A model directory holds `compiled.json` (the quantized model, its settings, calibration and cost), `circuit.r1cs`,
/// `cost.json`, and after setup `circuit.zkey` and `verification_key.json`; `prove` adds `witness.wtns`,
/// `proof.json`, `public.json` and `output.json`. Every file is written atomically.
public enum ModelWorkflows {
    /// The compiled artifact stored as `compiled.json`.
    public struct CompiledModel: Sendable, Codable {
        public static let formatTag = "zkinfer-compiled/1"
        public var format = formatTag
        public var source: String
        public var inputVisibility: InputVisibility
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

    /// Reads a model from `.onnx` or zkinfer JSON. ONNX has no input range: `inputRange` (or [0, 1]) supplies it.
    public static func loadModel(_ path: String, inputRange: ClosedRange<Double>?) throws(Workflows.Failure) -> (model: Model, notes: [String]) {
        let data = Data(try read(path))
        do {
            if path.lowercased().hasSuffix(".onnx") {
                let range = inputRange ?? 0...1
                let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                let (model, notes) = try ONNXImporter.importModel(data, name: name, inputRange: range)
                var text = ["opset \(notes.opset)", "input range \(range.lowerBound)...\(range.upperBound)\(inputRange == nil ? " (default)" : "")"]
                if notes.droppedBatchDimension { text.append("batch dimension dropped") }
                if notes.droppedFinalSoftmax { text.append("final Softmax dropped: the circuit proves the logits") }
                return (model, text)
            }
            var model = try ModelJSON.decode(data)
            if let inputRange { model.inputRange = inputRange }
            return (model, [])
        } catch {
            throw .input(FormatError(file: path, problem: error.description))
        }
    }

    /// Reads model inputs: a flat JSON array of numbers (row-major), EZKL's `{"input_data": [[...]]}`, or, for
    /// several samples, an array of such arrays.
    public static func readInputs(_ path: String) throws(Workflows.Failure) -> [[Double]] {
        let data = Data(try read(path))
        struct EZKLInput: Decodable { var input_data: [[Double]] }
        let decoder = JSONDecoder()
        let samples: [[Double]]
        if let flat = try? decoder.decode([Double].self, from: data) {
            samples = [flat]
        } else if let nested = try? decoder.decode([[Double]].self, from: data) {
            samples = nested
        } else if let ezkl = try? decoder.decode(EZKLInput.self, from: data) {
            samples = ezkl.input_data
        } else {
            throw .input(FormatError(
                file: path, problem: "expected numbers: a flat array, an array of arrays, or {\"input_data\": [[...]]}"))
        }
        guard !samples.isEmpty, samples.allSatisfy({ !$0.isEmpty }) else { throw .input(FormatError(file: path, problem: "holds no numbers")) }
        return samples
    }

    /// Compiles a model into `directory`: nothing is written unless every step succeeds.
    public static func compile(
        modelPath: String, directory: String, settings: CompilerSettings?, inputVisibility: InputVisibility,
        inputRange: ClosedRange<Double>?, calibrationPath: String?, weights: WeightVisibility = .fixed
    ) throws(Workflows.Failure) -> CompiledModel {
        let samples = try calibrationPath.map { path throws(Workflows.Failure) in try readInputs(path) }
        var range = inputRange
        if range == nil, let samples, let low = samples.joined().min(), let high = samples.joined().max() {
            range = min(low, 0)...max(high, low == high ? high + 1 : high)
        }
        let (model, notes) = try loadModel(modelPath, inputRange: range)
        var chosen = settings ?? CompilerSettings()
        var report: Calibration.Report?
        do {
            if let samples, settings == nil {
                let calibration = try Calibration.calibrate(model, samples: samples)
                chosen = calibration.chosen.settings
                report = calibration
            }
            let quantized = try Quantizer.quantize(model, settings: chosen, weights: weights)
            let lowered = try Lowering.lower(quantized, input: Array(repeating: quantized.inputRange.lowerBound, count: quantized.inputCount),
                                             inputVisibility: inputVisibility)
            let cost = CostReport(model: quantized, lowered: lowered)
            let layout = quantized.outputIsIndex
                ? "1 output (class index)" : "\(quantized.outputCount) outputs (integers at scale 2^-\(quantized.outputScale))"
            var compiled = CompiledModel(
                source: modelPath, inputVisibility: inputVisibility,
                publicLayout: layout + (inputVisibility == .public ? ", then \(quantized.inputCount) inputs (integers at scale 2^-\(quantized.inputScale))" : "")
                    + (weights == .hashed ? ", then the weight commitment" : ""),
                model: quantized, calibration: report, importNotes: notes, cost: cost)
            if weights == .hashed {
                compiled.weightCommitment = WeightCommitment.commit(quantized.committedParameters).decimal
            }
            if weights == .private {
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

    public static func readCompiled(_ directory: String) throws(Workflows.Failure) -> CompiledModel {
        let path = Files(directory).compiled
        let bytes = try read(path)
        do {
            let compiled = try JSONDecoder().decode(CompiledModel.self, from: Data(bytes))
            guard compiled.format == CompiledModel.formatTag else {
                throw FormatError(file: path, problem: "unsupported format '\(compiled.format)'")
            }
            return compiled
        } catch let error as FormatError {
            throw .input(error)
        } catch {
            throw .input(FormatError(file: path, problem: "is not a compiled zkinfer model (\(error))"))
        }
    }

    /// The result of proving one inference.
    public struct Inference: Sendable, Codable {
        /// The output as reals (the class index for an ArgMax model).
        public var output: [Double]
        /// The integers the circuit outputs (the public outputs).
        public var integerOutput: [Int]
        public var outputScale: Int
        /// The index of the largest output.
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
            let (model, _) = try loadModel(weightsPath, inputRange: compiled.model.declaredInputRange)
            do { compiled.model = try Quantizer.quantize(model, matching: compiled.model) } catch {
                throw .input(FormatError(file: weightsPath, problem: error.description))
            }
        }
        let inputs = try readInputs(inputPath)
        guard inputs.count == 1 else { throw .input(FormatError(file: inputPath, problem: "holds \(inputs.count) samples; prove takes one")) }
        let lowered: LoweredModel
        do {
            let quantized = try compiled.model.quantizeInput(inputs[0])
            progress?("witness", 0)
            lowered = try Lowering.lower(compiled.model, input: quantized, inputVisibility: compiled.inputVisibility)
        } catch {
            throw .input(FormatError(file: inputPath, problem: error.description))
        }
        let key: ProvingKey
        do {
            progress?("reading the proving key", 0)
            key = try ZKeyFile.read(files.zkey)
            try WitnessFile.write(lowered.witness, to: files.witness)
        } catch { throw .input(error) }
        _ = try Workflows.prove(
            key: key, zkeyPath: files.zkey, witness: lowered.witness, witnessPath: files.witness, r1csPath: nil, proofPath: files.proof,
            publicPath: files.publicSignals, binaryProofPath: nil, progress: progress)
        let output = compiled.model.decodeOutput(lowered.output)
        let inference = Inference(
            output: output, integerOutput: lowered.output, outputScale: compiled.model.outputScale,
            predictedClass: compiled.model.outputIsIndex ? lowered.output[0] : output.firstIndex(of: output.max()!)!,
            weightCommitment: compiled.model.weightVisibility == .hashed ? lowered.witness[lowered.r1cs.publicCount].decimal : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try FileIO.writeAtomically(Array(try! encoder.encode(inference)), to: files.output) } catch { throw .input(error) }
        return inference
    }

    /// Verifies the proof in a model directory; with `expectedOutput`, also requires the public outputs to encode it
    /// (compared after quantizing at the model's output scale, or as a class index).
    /// With `expectedCommitment` (hashed weights), also requires the proof's weight commitment (the last public signal).
    public static func verify(
        directory: String, expectedOutput: [Double]? = nil, expectedCommitment: String? = nil, proofPath: String? = nil,
        publicPath: String? = nil
    ) throws(Workflows.Failure) -> Bool {
        let files = Files(directory)
        let publicPath = publicPath ?? files.publicSignals
        let (valid, signals) = try Workflows.verifyReadingSignals(
            verificationKeyPath: files.verificationKey, proofPath: proofPath ?? files.proof, publicPath: publicPath)
        guard valid else { return false }
        guard expectedOutput != nil || expectedCommitment != nil else { return true }
        let compiled = try readCompiled(directory)
        if let expectedCommitment {
            guard compiled.model.weightVisibility == .hashed else {
                throw .input(FormatError(file: files.compiled, problem: "the model's weights are not hashed, so there is no commitment"))
            }
            guard let commitment = try? Fr(decimal: expectedCommitment) else {
                throw .input(FormatError(file: "--commitment", problem: "is not a decimal field element below r"))
            }
            if signals.last != commitment { return false }
        }
        guard let expectedOutput else { return true }
        let model = compiled.model
        guard expectedOutput.count == model.outputCount else {
            throw .input(FormatError(file: publicPath, problem: "the expected output has \(expectedOutput.count) values, the model has \(model.outputCount)"))
        }
        let unit = model.outputIsIndex ? 1 : Double(1 << model.outputScale)
        let expected = expectedOutput.map { Fr(signed: Int(($0 * unit).rounded())) }
        return Array(signals.prefix(model.outputCount)) == expected
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
