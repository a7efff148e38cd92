import ArgumentParser
import Formats
import Foundation
import ModelCompiler
import ModelIR
import Workflows

extension WeightVisibility: ExpressibleByArgument {}

/// Options shared by `compile` and `inspect`.
struct CompilerOptions: ParsableArguments {
    @Option(name: .customLong("input"), help: "Input visibility: public, private or hashed (Poseidon-committed), for all inputs or as NAME=VISIBILITY (repeatable).")
    var inputVisibility: [String] = []
    @Option(help: "fixed: constants bound by the keys; hashed: private, bound to a public Poseidon commitment (retrained weights reuse the keys); private: unbound, benchmarks only.")
    var weights: WeightVisibility = .fixed
    @Option(help: "Sample inputs to choose scales and report accuracy (see the README's input formats).") var calibration: String?
    @Option(parsing: .unconditionalSingleValue, help: "The real range of input elements, as low,high for all inputs or NAME=low,high (repeatable; a negative low needs no quoting). Default: from the calibration samples, else 0,1.")
    var inputRange: [String] = []
    @Option(help: "The shape of an input with symbolic dimensions, as NAME=d0,d1,... (repeatable; symbolic dimensions default to 1).")
    var inputShape: [String] = []
    @Option(help: "Fractional bits of inputs and activations (overrides calibration).") var activationScale: Int?
    @Option(help: "Signed bits of quantized weights (default: activation scale + 1).") var weightBits: Int?
    @Option(help: "A final Softmax or LogSoftmax: prove it, or drop it and prove its logits (the argmax is the same).")
    var finalSoftmax: FinalSoftmax = .prove
    @Option(help: "Value ranges the circuit checks: proven (interval arithmetic: every input in range proves) or calibrated (the range margin times what the calibration samples reach, tighter so finer scales fit; an input beyond them cannot be proved).")
    var ranges: RangeMode = .proven
    @Option(help: "With --ranges calibrated: how many times the largest value the samples reach each checked range admits.")
    var rangeMargin: Double = 4

    /// Splits NAME=VALUE; a value without a name applies to every input.
    private func named(_ text: String) -> (String?, String) {
        guard let equals = text.firstIndex(of: "=") else { return (nil, text) }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    func workflowOptions() throws -> ModelWorkflows.Options {
        var options = ModelWorkflows.Options(settings: settings)
        options.weights = weights
        options.calibrationPath = calibration
        options.outputLogits = finalSoftmax == .logits
        if ranges == .calibrated {
            guard rangeMargin.isFinite, rangeMargin >= 1 else { throw ValidationError("--range-margin must be at least 1") }
            options.rangeMargin = rangeMargin
        }
        for text in inputVisibility {
            let (name, value) = named(text)
            guard let visibility = InputVisibility(rawValue: value) else { throw ValidationError("--input takes public, private or hashed, got '\(value)'") }
            if let name { options.visibility[name] = visibility } else { options.defaultVisibility = visibility }
        }
        for text in inputRange {
            let (name, value) = named(text)
            let parts = value.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, parts[0] <= parts[1] else { throw ValidationError("--input-range must be low,high (or NAME=low,high) with low <= high") }
            if let name { options.ranges[name] = parts[0]...parts[1] } else { options.defaultRange = parts[0]...parts[1] }
        }
        for text in inputShape {
            let (name, value) = named(text)
            let parts = value.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let name, !parts.isEmpty, parts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--input-shape must be NAME=d0,d1,... with positive sizes") }
            options.shapes[name] = parts
        }
        return options
    }

    var settings: CompilerSettings? {
        guard let activationScale else { return weightBits.map { CompilerSettings(weightBits: $0) } }
        return CompilerSettings(activationScale: activationScale, weightBits: weightBits ?? activationScale + 1)
    }
}

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a model (.onnx or zkinfer JSON) to a circuit in a model directory, and print its cost.")

    @Argument(help: "The model: ONNX (.onnx) or zkinfer JSON (.json).") var model: String
    @Option(name: .shortAndLong, help: "The model directory to write.") var output: String
    @OptionGroup var options: CompilerOptions
    @Flag(help: "Print the cost report as JSON instead of a table.") var json = false

    func run() throws {
        do {
            let compiled = try ModelWorkflows.compile(modelPath: model, directory: output, options: try options.workflowOptions())
            if json {
                print(String(decoding: compiled.cost.json, as: UTF8.self))
                return
            }
            for note in compiled.importNotes { print("note: \(note)") }
            let settings = compiled.model.settings
            print("settings: activations 2^-\(settings.activationScale), weights \(settings.weightBits) bits, rounding \(settings.rounding.rawValue)")
            if let calibration = compiled.calibration {
                let chosen = calibration.chosen
                print(String(format: "calibration: %d samples, max |error| %.5f (bound %.5f), argmax agreement %.1f%%",
                             calibration.samples, chosen.maximumAbsoluteError, chosen.errorBound, chosen.argmaxAgreement * 100))
            }
            print(compiled.cost.table)
            print("public signals: \(compiled.publicLayout)")
            if let commitment = compiled.weightCommitment { print("weight commitment: \(commitment)") }
            print("compile: \(model) -> \(output)/ (circuit.r1cs, compiled.json, cost.json)")
        } catch let failure as Workflows.Failure { throw reportFailure(failure) }
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's circuit cost and an estimate of setup and proving time and memory, without writing anything.")

    @Argument(help: "The model: ONNX (.onnx) or zkinfer JSON (.json).") var model: String
    @OptionGroup var options: CompilerOptions
    @Flag(help: "Print the cost report as JSON.") var json = false

    func run() throws {
        do {
            let settings = try options.workflowOptions()
            let graph = try ModelWorkflows.loadGraph(model, shapes: settings.shapes)
            let samples = try settings.calibrationPath.map { path throws(Workflows.Failure) in try ModelInputs.read(path, inputs: graph.inputs) }
            let (prepared, notes) = try ModelWorkflows.prepare(model, options: settings, samples: samples, loaded: graph)
            let visibility = settings.visibility(of: prepared.graph)
            let observed = try ModelWorkflows.observedRanges(prepared, samples: samples, options: settings)
            var compilerSettings = options.settings ?? CompilerSettings()
            compilerSettings.rangeMargin = settings.rangeMargin
            let report: CostReport
            do {
                report = try CostReport.of(Quantization.quantize(
                    prepared, settings: compilerSettings, weights: options.weights, visibility: visibility, observed: observed))
            } catch { throw Workflows.Failure.input(FormatError(file: model, problem: error.description)) }
            if json {
                print(String(decoding: report.json, as: UTF8.self))
                return
            }
            for note in notes { print("note: \(note)") }
            print(report.table)
            let estimate = ModelWorkflows.Estimate(constraints: report.constraints, wires: report.wires, publicSignals: report.publicSignals)
            print(String(format: "estimate (2-core x86-64): domain 2^%d, setup %.1f s, prove %.1f s, proving key %.0f MiB, prover memory %.0f MiB",
                         estimate.domainLogSize, estimate.setupSeconds, estimate.proveSeconds, estimate.provingKeyMiB, estimate.proverMiB))
        } catch let failure as Workflows.Failure { throw reportFailure(failure) }
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole job on a bundled model: compile with calibration, set up, prove an inference, verify.")

    @Option(help: "The bundled model directory (model.onnx, samples.json, input.json).") var model: String = "Circuits/digits-cnn"
    @Option(help: "Where to put the compiled model and keys.") var output: String = "out/demo"

    func run() throws {
        let source = URL(fileURLWithPath: model)
        let onnx = source.appendingPathComponent("model.onnx").path
        let samples = source.appendingPathComponent("samples.json").path
        let input = source.appendingPathComponent("input.json").path
        func step<T>(_ name: String, _ body: () throws -> T) throws -> T {
            let start = DispatchTime.now()
            let result = try body()
            print(String(format: "  %-8@ %8.3f s", name, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
            return result
        }
        do {
            print("zkinfer demo: \(onnx)")
            let compiled = try step("compile") {
                var options = ModelWorkflows.Options()
                options.defaultRange = 0...1
                options.calibrationPath = samples
                return try ModelWorkflows.compile(modelPath: onnx, directory: output, options: options)
            }
            print(compiled.cost.table.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            if let chosen = compiled.calibration?.chosen {
                print(String(format: "    calibration: activations 2^-%d, max |error| %.4f, argmax agreement %.0f%%",
                             chosen.settings.activationScale, chosen.maximumAbsoluteError, chosen.argmaxAgreement * 100))
            }
            let files = ModelWorkflows.Files(output)
            _ = try step("setup") {
                try Workflows.setup(r1csPath: files.r1cs, zkeyPath: files.zkey, verificationKeyPath: files.verificationKey)
            }
            let inference = try step("prove") { try ModelWorkflows.prove(directory: output, inputPath: input) }
            print("    output logits: [\(inference.output.map { String(format: "%.3f", $0) }.joined(separator: ", "))]")
            print("    predicted class: \(inference.predictedClass) (input private; proof 256 bytes)")
            let valid = try step("verify") { try ModelWorkflows.verify(directory: output).valid }
            print("    proof is \(valid ? "valid" : "INVALID")")
            var forged = inference.output
            forged[inference.predictedClass] += 1
            let forgedValid = try ModelWorkflows.verify(directory: output, expectedOutput: forged).valid
            print("    a claim of a different output: \(forgedValid ? "ACCEPTED (bug)" : "rejected")")
            print("files in \(output)/: compiled.json, circuit.r1cs, circuit.zkey, verification_key.json, witness.wtns, proof.json, public.json, output.json")
            if !valid || forgedValid { throw ExitCode(1) }
        } catch let failure as Workflows.Failure { throw reportFailure(failure) }
    }
}

enum FinalSoftmax: String, ExpressibleByArgument, CaseIterable {
    case prove, logits
}

enum RangeMode: String, ExpressibleByArgument, CaseIterable {
    case proven, calibrated
}
