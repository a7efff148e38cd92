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

    /// One call of `verifyOnEmbeddedEVM`: the calldata sent and what the contract did.
    public struct EVMCall: Sendable {
        public var calldata: [UInt8]
        public var execution: EmbeddedEVM.Execution
        /// The contract's answer: a returned 32-byte 1 or 0; nil for a revert, a halt or other output.
        public var verified: Bool? {
            guard execution.status == .returned, execution.output.count == 32, execution.output.dropLast().allSatisfy({ $0 == 0 }),
                  execution.output[31] <= 1 else { return nil }
            return execution.output[31] == 1
        }
    }

    public struct EVMVerification: Sendable {
        public var verifier: String
        public var runtimeSize: Int
        /// The deployment transaction's gas, or nil when the file held runtime code.
        public var deploymentGas: Int?
        public var gasLimit: Int
        public var calls: [EVMCall]
    }

    /// Where `verify-evm` reads its calldata from.
    public enum EVMCalldataSource: Sendable {
        /// A proof (proof.json or the 256-byte form) and public.json, encoded as `calldata --format hex` does.
        case proof(proofPath: String, publicPath: String, dropLastSignal: Bool)
        /// A file of `0x` hex calldata, one call per line (blank lines and lines starting with # are skipped).
        case file(String)
    }

    /// Deploys a verifier's creation code on the embedded EVM (or takes its runtime code as it is) and calls it.
    /// - Parameters:
    ///   - verifier: a directory holding `Groth16Verifier.bin` (or `.runtime.bin` with `runtime`), a hex file, or a
    ///     compiler artifact (JSON with `bytecode`, or `deployedBytecode` with `runtime`, as a string or `{"object": ..}`).
    ///   - runtime: the code is runtime code, called without a deployment.
    public static func verifyOnEmbeddedEVM(
        verifier: String, runtime: Bool, calldata source: EVMCalldataSource, gasLimit: Int
    ) throws(Workflows.Failure) -> EVMVerification {
        let (codePath, code) = try readBytecode(verifier, runtime: runtime)
        let evm = EmbeddedEVM(gasLimit: gasLimit)
        var runtimeCode = code, deploymentGas: Int?
        if !runtime {
            do {
                let deployment = try evm.deploy(creationCode: code)
                runtimeCode = deployment.runtimeCode
                deploymentGas = deployment.execution.transactionGas
            } catch { throw .input(FormatError(file: codePath, problem: error.description)) }
        }
        var calldatas: [[UInt8]] = []
        switch source {
        case let .proof(proofPath, publicPath, dropLastSignal):
            let (proof, signals) = try readCall(proofPath: proofPath, publicPath: publicPath, dropLastSignal: dropLastSignal)
            calldatas = [VerifierCalldata.encode(proof, signals: signals)]
        case let .file(path):
            let text: String
            do { text = String(decoding: try FileIO.read(path), as: UTF8.self) } catch { throw .input(error) }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                guard let bytes = Hex.decode(trimmed) else {
                    throw .input(FormatError(file: path, problem: "line \(index + 1) is not hex calldata"))
                }
                calldatas.append(bytes)
            }
            if calldatas.isEmpty { throw .input(FormatError(file: path, problem: "holds no calldata")) }
        }
        var calls: [EVMCall] = []
        for data in calldatas {
            do { calls.append(EVMCall(calldata: data, execution: try evm.call(code: runtimeCode, calldata: data))) }
            catch { throw .input(FormatError(file: codePath, problem: error.description)) }
        }
        return EVMVerification(verifier: codePath, runtimeSize: runtimeCode.count, deploymentGas: deploymentGas,
                               gasLimit: gasLimit, calls: calls)
    }

    /// "reverted", or "halted: REASON", for a call that returned no verdict.
    public static func describe(_ execution: EmbeddedEVM.Execution) -> String {
        switch execution.status {
        case .returned: return "returned \(execution.output.count) bytes, not a bool"
        case .reverted: return "reverted"
        case let .halted(reason): return "halted: \(reason)"
        }
    }

    /// `verify-evm --json`: the verifier, then each call's verdict (true, false or null), status, output and gas.
    public static func json(_ verification: EVMVerification) -> String {
        let calls: [[String: Any]] = verification.calls.map { call in
            let status: String
            switch call.execution.status {
            case .returned: status = "returned"
            case .reverted: status = "reverted"
            case .halted: status = "halted"
            }
            var entry: [String: Any] = [
                "verified": call.verified.map { $0 as Any } ?? NSNull(), "status": status,
                "output": VerifierCalldata.hex(call.execution.output),
                "executionGas": call.execution.executionGas, "transactionGas": call.execution.transactionGas,
            ]
            if case let .halted(reason) = call.execution.status { entry["reason"] = reason }
            return entry
        }
        let object: [String: Any] = [
            "verifier": verification.verifier, "runtimeBytes": verification.runtimeSize,
            "deploymentGas": verification.deploymentGas.map { $0 as Any } ?? NSNull(),
            "gasLimit": verification.gasLimit, "rules": "shanghai", "calls": calls,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func readBytecode(_ source: String, runtime: Bool) throws(Workflows.Failure) -> (String, [UInt8]) {
        var isDirectory: ObjCBool = false
        var path = source
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
            path = URL(fileURLWithPath: source).appendingPathComponent(runtime ? "Groth16Verifier.runtime.bin" : "Groth16Verifier.bin").path
        }
        let text: String
        do { text = String(decoding: try FileIO.read(path), as: UTF8.self) } catch { throw .input(error) }
        var hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if hex.hasPrefix("{") {
            let key = runtime ? "deployedBytecode" : "bytecode"
            guard let object = try? JSONSerialization.jsonObject(with: Data(hex.utf8)) as? [String: Any] else {
                throw .input(FormatError(file: path, problem: "is not valid JSON"))
            }
            if let string = object[key] as? String { hex = string }
            else if let nested = object[key] as? [String: Any], let string = nested["object"] as? String { hex = string }
            else { throw .input(FormatError(file: path, problem: "has no \"\(key)\" (a string, or an object with \"object\")")) }
        }
        guard let bytes = Hex.decode(hex), !bytes.isEmpty else {
            throw .input(FormatError(file: path, problem: "is not hex bytecode (optionally 0x-prefixed)"))
        }
        return (path, bytes)
    }

    /// The proof and the public signals a verifier call passes (all but the commitment with `dropLastSignal`).
    static func readCall(proofPath: String, publicPath: String, dropLastSignal: Bool) throws(Workflows.Failure) -> (Proof, [Fr]) {
        let proof: Proof, signals: [Fr]
        do {
            proof = try Workflows.readProof(proofPath)
            signals = try SnarkjsJSON.decodePublicSignals(FileIO.read(publicPath), file: publicPath)
        } catch { throw .input(error) }
        if dropLastSignal && signals.isEmpty { throw .input(FormatError(file: publicPath, problem: "has no public signal to drop")) }
        return (proof, dropLastSignal ? Array(signals.dropLast()) : signals)
    }

    /// A proof (`proof.json` or the 256-byte form) and `public.json` as verifier calldata.
    /// - Parameter dropLastSignal: for a contract bound to the weights, which takes every signal but the commitment.
    public static func calldata(proofPath: String, publicPath: String, form: CalldataForm, dropLastSignal: Bool) throws(Workflows.Failure) -> String {
        let (proof, passed) = try readCall(proofPath: proofPath, publicPath: publicPath, dropLastSignal: dropLastSignal)
        switch form {
        case .snarkjs: return VerifierCalldata.snarkjsText(proof, signals: passed)
        case .hex: return VerifierCalldata.hex(VerifierCalldata.encode(proof, signals: passed))
        case .json: return VerifierCalldata.json(proof, signals: passed)
        }
    }
}
