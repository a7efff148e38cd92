import Algebra
import EVM
import Formats
import Foundation
import Groth16

/// EVM verifier contracts and calldata for snarkjs-interface verifiers.
public enum EVMWorkflows {
    public struct ExportedVerifier: Sendable {
        public var directory: String
        public var signalCount: Int
        public var runtimeSize: Int
        public var boundCommitment: String?
        public var files: [String]
    }

    /// Reads a verification key from a model directory, a `verification_key.json` or a `.zkey`.
    static func readKey(_ source: String) throws(Workflows.Failure) -> (key: VerifyingKey, model: ModelWorkflows.CompiledModel?) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
            let files = ModelWorkflows.Files(source)
            let model = try ModelWorkflows.readCompiled(source)
            do { return (try SnarkjsJSON.decodeVerifyingKey(FileIO.read(files.verificationKey), file: files.verificationKey), model) }
            catch { throw .input(error) }
        }
        do {
            if source.hasSuffix(".zkey") { return (try ZKeyFile.read(source).verifyingKey, nil) }
            return (try SnarkjsJSON.decodeVerifyingKey(FileIO.read(source), file: source), nil)
        } catch { throw .input(error) }
    }

    /// Writes `Groth16Verifier.bin` (creation code, hex), `Groth16Verifier.runtime.bin`, `Groth16Verifier.asm`
    /// `Groth16Verifier.abi.json`, `Groth16Verifier.vy` (Vyper 0.4) and `Groth16Verifier.sol` into `directory`, each atomically.
    /// - Parameter bindWeights: bake the model's weight commitment (a model compiled with `--weights hashed`) into the
    ///   contract, which then takes every public signal but that last one.
    public static func exportVerifier(source: String, directory: String, bindWeights: Bool) throws(Workflows.Failure) -> ExportedVerifier {
        let (key, model) = try readKey(source)
        var commitment: Fr?
        if bindWeights {
            guard let model else {
                throw .input(FormatError(file: source, problem: "--bind-weights needs a model directory compiled with --weights hashed"))
            }
            let compiledPath = ModelWorkflows.Files(source).compiled
            guard let text = model.weightCommitment else {
                throw .input(FormatError(file: compiledPath, problem: "has no weight commitment: compile with --weights hashed to bind the weights"))
            }
            do { commitment = try Fr(decimal: text) } catch {
                throw .input(FormatError(file: compiledPath, problem: "weightCommitment: \(error)"))
            }
        }
        let contract = VerifierContract(key: key, bindingLastSignal: commitment)
        let runtime = contract.runtime()
        let creation = contract.creation(of: runtime)
        guard runtime.code.count <= VerifierContract.maximumCodeSize else {
            throw .input(FormatError(file: source, problem: "the verifier's code is \(runtime.code.count) bytes, over EIP-170's 24,576"))
        }
        let outputs: [(String, String)] = [
            ("Groth16Verifier.bin", VerifierCalldata.hex(creation.code) + "\n"),
            ("Groth16Verifier.runtime.bin", VerifierCalldata.hex(runtime.code) + "\n"),
            ("Groth16Verifier.asm", creation.listing),
            ("Groth16Verifier.abi.json", VerifierABI.json(signalCount: contract.signalCount)),
            ("Groth16Verifier.vy", VyperVerifier.source(contract)),
            ("Groth16Verifier.sol", SolidityVerifier.source(contract)),
        ]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw .input(FormatError(file: directory, problem: "cannot create the directory: \(error.localizedDescription)")) }
        var written: [String] = []
        for (name, text) in outputs {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            do { try FileIO.writeAtomically(text, to: path) } catch { throw .input(error) }
            written.append(path)
        }
        return ExportedVerifier(
            directory: directory, signalCount: contract.signalCount, runtimeSize: runtime.code.count,
            boundCommitment: commitment?.decimal, files: written)
    }

    public enum CalldataForm: String, Sendable, CaseIterable { case snarkjs, hex, json }

    /// A proof (`proof.json` or the 256-byte form) and `public.json` as verifier calldata.
    /// - Parameter dropLastSignal: for a contract bound to the weights, which takes every signal but the commitment.
    public static func calldata(proofPath: String, publicPath: String, form: CalldataForm, dropLastSignal: Bool) throws(Workflows.Failure) -> String {
        let proof: Proof, signals: [Fr]
        do {
            proof = try Workflows.readProof(proofPath)
            signals = try SnarkjsJSON.decodePublicSignals(FileIO.read(publicPath), file: publicPath)
        } catch { throw .input(error) }
        if dropLastSignal && signals.isEmpty { throw .input(FormatError(file: publicPath, problem: "has no public signal to drop")) }
        let passed = dropLastSignal ? Array(signals.dropLast()) : signals
        switch form {
        case .snarkjs: return VerifierCalldata.snarkjsText(proof, signals: passed)
        case .hex: return VerifierCalldata.hex(VerifierCalldata.encode(proof, signals: passed))
        case .json: return VerifierCalldata.json(proof, signals: passed)
        }
    }
}
