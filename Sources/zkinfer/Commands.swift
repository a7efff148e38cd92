import ArgumentParser
import Formats
import Foundation
import Workflows

/// Maps a workflow failure to its message on stderr and its exit code.
func reportFailure(_ failure: Workflows.Failure) -> ExitCode {
    printError("error: \(failure)")
    switch failure {
    case .input: return ExitCode(2)
    case .unsatisfied: return ExitCode(3)
    case .rejected: return ExitCode(4)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A progress line on stderr when it is a terminal; with `timings`, each step's duration on stderr.
func terminalProgress(_ label: String, timings: Bool = false) -> (@Sendable (String, Double) -> Void)? {
    let interactive = isatty(2) != 0
    guard interactive || timings else { return nil }
    let clock = StepClock(startingWith: "reading inputs")
    return { step, fraction in
        if timings, let (previous, seconds) = clock.lap(step) {
            FileHandle.standardError.write(Data(String(format: "%@: %-22@ %8.3f s\n", label, previous, seconds).utf8))
        } else if interactive {
            let line = String(format: "\r%@: %3.0f%% %@", label, fraction * 100, step)
            FileHandle.standardError.write(Data((line.padding(toLength: 60, withPad: " ", startingAt: 0) + (fraction >= 1 ? "\n" : "")).utf8))
        }
    }
}

func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}

struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Groth16 setup for a circuit: from a powers-of-tau file (--ptau, as snarkjs), or single-party development keys.",
        discussion: """
            With --ptau, the key is snarkjs's `groth16 setup` byte for byte (phase 1 from the ptau, gamma and delta the \
            generators, the circuit hash in section 10): the start of a phase-2 ceremony. Without it, zkinfer draws every \
            secret itself, and whoever ran it could forge proofs: development keys only.
            """)

    @Argument(help: "The circuit (a circom .r1cs file) or a model directory made by `compile`.") var circuit: String
    @Option(help: "Where to write the proving key (.zkey); a model directory keeps it as circuit.zkey.") var zkey: String?
    @Option(help: "Where to write the verification key (snarkjs JSON).") var vk: String?
    @Option(help: "A prepared powers-of-tau file: set up as snarkjs does, for a ceremony.") var ptau: String?
    @Flag(help: "Print each step's duration on stderr.") var timings = false

    func validate() throws {
        if !isDirectory(circuit) && zkey == nil { throw ValidationError("--zkey is required unless the circuit is a model directory") }
    }

    func run() throws {
        let files = ModelWorkflows.Files(circuit)
        let model = isDirectory(circuit)
        let zkeyPath = zkey ?? files.zkey
        if let ptau {
            do {
                let result = try CeremonyWorkflows.setup(
                    r1csPath: model ? files.r1cs : circuit, ptauPath: ptau, zkeyPath: zkeyPath,
                    verificationKeyPath: vk ?? (model ? files.verificationKey : nil))
                let setup = result.setup
                print("setup from \(ptau): \(setup.constraintCount) constraints, \(setup.wireCount) wires, \(setup.publicCount) public, domain \(setup.domainSize) -> \(zkeyPath)")
                print("circuit hash: \(result.circuitHash)")
                printError("note: no phase-2 contribution yet: delta is the generator, so proofs made with this key can be forged; make at least one contribution (snarkjs zkey contribute) before using it.")
            } catch { throw reportFailure(error) }
            return
        }
        do {
            let result = try Workflows.setup(
                r1csPath: model ? files.r1cs : circuit, zkeyPath: zkeyPath, verificationKeyPath: vk ?? (model ? files.verificationKey : nil),
                progress: terminalProgress("setup", timings: timings))
            print("setup: \(result.constraintCount) constraints, \(result.wireCount) wires, \(result.publicCount) public, domain \(result.domainSize) -> \(zkeyPath)")
            printError("warning: single-party setup, for development only: the toxic waste existed in this process. For production keys use setup --ptau and zkey contribute (README: Production keys).")
        } catch { throw reportFailure(error) }
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove an inference (model directory + --input) or a witness (.zkey + .wtns).")

    @Argument(help: "A model directory made by `compile` and `setup`, or a proving key (.zkey).") var target: String
    @Argument(help: "The full witness (.wtns), when proving with a .zkey.") var witness: String?
    @Option(help: "The model input: a flat JSON array (row-major) or EZKL's {\"input_data\": [[...]]}.") var input: String?
    @Option(help: "Prove with this model's weights (hashed or private weights): a retrained model of the compiled architecture.")
    var weights: String?
    @Option(help: "Where to write the proof (snarkjs proof.json).") var proof: String = "proof.json"
    @Option(name: .customLong("public"), help: "Where to write the public signals (public.json).") var publicSignals: String = "public.json"
    @Option(help: "Also write the 256-byte binary proof (Ethereum calldata order).") var proofBin: String?
    @Option(help: "Check the witness against this circuit first and name any unsatisfied constraint.") var r1cs: String?
    @Flag(help: "Print each step's duration on stderr.") var timings = false

    func validate() throws {
        if isDirectory(target) {
            if input == nil { throw ValidationError("proving a model needs --input") }
        } else if witness == nil {
            throw ValidationError("proving with a .zkey needs the witness (.wtns)")
        }
    }

    func run() throws {
        do {
            if isDirectory(target), let input {
                let files = ModelWorkflows.Files(target)
                let inference = try ModelWorkflows.prove(
                    directory: target, inputPath: input, weightsPath: weights, progress: terminalProgress("prove", timings: timings))
                for output in inference.outputs {
                    let shown = output.values.prefix(10).map { String(format: "%.4f", $0) }.joined(separator: ", ")
                    print("prove: \(output.name) [\(shown)\(output.values.count > 10 ? ", ..." : "")]\(output.proved.map { " (\($0))" } ?? "")")
                }
                print("prove: class \(inference.predictedClass) -> \(files.proof), \(files.publicSignals), \(files.output)")
                if let commitment = inference.weightCommitment { print("weight commitment: \(commitment)") }
                return
            }
            let result = try Workflows.prove(
                zkeyPath: target, witnessPath: witness!, r1csPath: r1cs, proofPath: proof, publicPath: publicSignals,
                binaryProofPath: proofBin, progress: terminalProgress("prove", timings: timings))
            print("prove: \(result.publicSignals.count) public signals -> \(proof), \(publicSignals)")
        } catch { throw reportFailure(error) }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a proof. Exit 0 if valid, 1 if invalid, 2 if an input is unreadable or malformed.",
        discussion: "Give a model directory (its verification key, proof.json and public.json), or the three files.")

    @Argument(help: "A model directory, or: verification_key.json proof.json public.json (the proof may be the 256-byte binary form).")
    var paths: [String]
    @Option(help: "Also require the public outputs to equal these values (comma-separated; a class index for ArgMax models).")
    var expectOutput: String?
    @Option(help: "Also require this weight commitment (decimal; models compiled with --weights hashed).") var commitment: String?
    @Flag(help: "Print one JSON object instead of a line.") var json = false

    func validate() throws {
        guard paths.count == 1 || paths.count == 3 else { throw ValidationError("give a model directory or three files") }
        if paths.count == 1 && !isDirectory(paths[0]) { throw ValidationError("\(paths[0]) is not a model directory") }
        if (expectOutput != nil || commitment != nil) && paths.count != 1 {
            throw ValidationError("--expect-output and --commitment need a model directory")
        }
    }

    func run() throws {
        do {
            var valid: Bool
            var report: ModelWorkflows.Verification?
            if paths.count == 1 {
                let expected = try expectOutput.map { text throws(Workflows.Failure) -> [Double] in
                    let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                    guard values.allSatisfy({ $0 != nil }) else {
                        throw .input(FormatError(file: "--expect-output", problem: "is not a comma-separated list of numbers"))
                    }
                    return values.map { $0! }
                }
                report = try ModelWorkflows.verify(directory: paths[0], expectedOutput: expected, expectedCommitment: commitment, describe: json)
                valid = report!.valid
            } else {
                valid = try Workflows.verify(verificationKeyPath: paths[0], proofPath: paths[1], publicPath: paths[2])
            }
            if json {
                if let report {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try! encoder.encode(report), as: UTF8.self))
                } else {
                    print("{\"valid\": \(valid)}")
                }
            } else {
                print(valid ? "OK: proof is valid" : "INVALID: proof does not verify\(expectOutput != nil || commitment != nil ? " (or the output or commitment differs)" : "")")
                for output in report?.outputs ?? [] where valid { print("  \(output.name) \(output.shape): \(output.proved)") }
            }
            if !valid { throw ExitCode(1) }
        } catch let failure as Workflows.Failure {
            if json {
                let message = failure.description.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                print("{\"valid\": false, \"error\": \"\(message)\"}")
            }
            throw reportFailure(failure)
        }
    }
}

struct ExportVerificationKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-vk", abstract: "Write the verification key (snarkjs JSON) of a .zkey.")

    @Argument(help: "The proving key (.zkey).") var zkey: String
    @Option(help: "Where to write verification_key.json.") var vk: String = "verification_key.json"

    func run() throws {
        do {
            try Workflows.exportVerificationKey(zkeyPath: zkey, verificationKeyPath: vk)
            print("export-vk: \(zkey) -> \(vk)")
        } catch { throw reportFailure(error) }
    }
}
