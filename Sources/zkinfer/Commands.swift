import ArgumentParser
import Formats
import Foundation

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
    let clock = StepClock()
    return { step, fraction in
        if timings, let (previous, seconds) = clock.lap(step) {
            FileHandle.standardError.write(Data(String(format: "%@: %-22@ %8.3f s\n", label, previous, seconds).utf8))
        } else if interactive {
            let line = String(format: "\r%@: %3.0f%% %@", label, fraction * 100, step)
            FileHandle.standardError.write(Data((line.padding(toLength: 60, withPad: " ", startingAt: 0) + (fraction >= 1 ? "\n" : "")).utf8))
        }
    }
}

/// Measures the time between successive progress steps.
final class StepClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (String, DispatchTime)? = ("reading inputs", .now())

    /// Starts `step` and returns the step that just ended with its duration.
    func lap(_ step: String) -> (String, Double)? {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now()
        let ended = current.map { ($0.0, Double(now.uptimeNanoseconds - $0.1.uptimeNanoseconds) / 1e9) }
        current = (step, now)
        return ended
    }
}

struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Single-party Groth16 setup for a circuit (development keys: whoever runs it could forge proofs).")

    @Argument(help: "The circuit, a circom .r1cs file.") var r1cs: String
    @Option(help: "Where to write the proving key (.zkey).") var zkey: String
    @Option(help: "Where to write the verification key (snarkjs JSON).") var vk: String?
    @Flag(help: "Print each step's duration on stderr.") var timings = false

    func run() throws {
        do {
            let result = try Workflows.setup(r1csPath: r1cs, zkeyPath: zkey, verificationKeyPath: vk, progress: terminalProgress("setup", timings: timings))
            print("setup: \(result.constraintCount) constraints, \(result.wireCount) wires, \(result.publicCount) public, domain \(result.domainSize) -> \(zkey)")
            printError("warning: single-party setup; the toxic waste existed in this process. Use a ceremony for production keys.")
        } catch { throw reportFailure(error) }
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prove a witness (.wtns) against a proving key (.zkey).")

    @Argument(help: "The proving key (.zkey).") var zkey: String
    @Argument(help: "The full witness (.wtns).") var witness: String
    @Option(help: "Where to write the proof (snarkjs proof.json).") var proof: String = "proof.json"
    @Option(name: .customLong("public"), help: "Where to write the public signals (public.json).") var publicSignals: String = "public.json"
    @Option(help: "Also write the 256-byte binary proof (Ethereum calldata order).") var proofBin: String?
    @Option(help: "Check the witness against this circuit first and name any unsatisfied constraint.") var r1cs: String?
    @Flag(help: "Print each step's duration on stderr.") var timings = false

    func run() throws {
        do {
            let result = try Workflows.prove(
                zkeyPath: zkey, witnessPath: witness, r1csPath: r1cs, proofPath: proof, publicPath: publicSignals,
                binaryProofPath: proofBin, progress: terminalProgress("prove", timings: timings))
            print("prove: \(result.publicSignals.count) public signals -> \(proof), \(publicSignals)")
        } catch { throw reportFailure(error) }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a proof. Exit 0 if valid, 1 if invalid, 2 if an input is unreadable or malformed.")

    @Argument(help: "The verification key (snarkjs verification_key.json).") var vk: String
    @Argument(help: "The proof (snarkjs proof.json, or the 256-byte binary form).") var proof: String
    @Argument(help: "The public signals (public.json).") var publicSignals: String
    @Flag(help: "Print one JSON object instead of a line.") var json = false

    func run() throws {
        do {
            let valid = try Workflows.verify(verificationKeyPath: vk, proofPath: proof, publicPath: publicSignals)
            print(json ? "{\"valid\": \(valid)}" : (valid ? "OK: proof is valid" : "INVALID: proof does not verify"))
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
