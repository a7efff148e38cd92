import Algebra
import ConstraintSystem
import Curves
import Formats
import Groth16

/// The file-to-file jobs behind the CLI's verbs, so library users get exactly what the CLI does.
public enum Workflows {
    /// Why a job failed; the CLI maps each case to a distinct exit code.
    public enum Failure: Error, CustomStringConvertible {
        /// A file could not be read or is malformed (exit code 2).
        case input(FormatError)
        /// The witness does not satisfy the circuit (exit code 3).
        case unsatisfied(file: String, reason: String)
        /// Anything else the proving system rejects (exit code 4).
        case rejected(String)

        public var description: String {
            switch self {
            case let .input(error): return error.description
            case let .unsatisfied(file, reason): return "\(file): \(reason)"
            case let .rejected(message): return message
            }
        }
    }

    public struct SetupResult: Sendable {
        public let constraintCount: Int
        public let wireCount: Int
        public let publicCount: Int
        public let domainSize: Int
    }

    /// Single-party Groth16 setup for a circuit; writes the `.zkey` and `verification_key.json`.
    public static func setup(
        r1csPath: String, zkeyPath: String, verificationKeyPath: String?, progress: Groth16.Progress? = nil
    ) throws(Failure) -> SetupResult {
        let r1cs: R1CS
        do { r1cs = try R1CSFile.read(r1csPath) } catch { throw .input(error) }
        let key: ProvingKey
        progress?("setup", 0)
        do { key = try Groth16.setup(r1cs, progress: progress) } catch { throw .rejected("\(r1csPath): \(error)") }
        progress?("writing keys", 1)
        do {
            try ZKeyFile.write(key, to: zkeyPath)
            if let verificationKeyPath {
                try FileIO.writeAtomically(SnarkjsJSON.encodeVerifyingKey(key.verifyingKey), to: verificationKeyPath)
            }
        } catch { throw .input(error) }
        return SetupResult(constraintCount: r1cs.constraints.count, wireCount: r1cs.wireCount,
                           publicCount: r1cs.publicCount, domainSize: key.domainSize)
    }

    /// Proves a witness against a `.zkey`. With `r1csPath` the witness is first checked against the
    /// circuit and an unsatisfied constraint is named; without it a bad witness yields a proof that fails.
    public static func prove(
        zkeyPath: String, witnessPath: String, r1csPath: String?, proofPath: String?, publicPath: String?,
        binaryProofPath: String? = nil, progress: Groth16.Progress? = nil
    ) throws(Failure) -> (proof: Proof, publicSignals: [Fr]) {
        let key: ProvingKey, witness: [Fr]
        do {
            key = try ZKeyFile.read(zkeyPath)
            witness = try WitnessFile.read(witnessPath)
        } catch { throw .input(error) }
        return try prove(
            key: key, zkeyPath: zkeyPath, witness: witness, witnessPath: witnessPath, r1csPath: r1csPath, proofPath: proofPath,
            publicPath: publicPath, binaryProofPath: binaryProofPath, progress: progress)
    }

    /// `prove` on a key and a witness already in memory; the paths name them in errors.
    static func prove(
        key: ProvingKey, zkeyPath: String, witness: [Fr], witnessPath: String, r1csPath: String?, proofPath: String?,
        publicPath: String?, binaryProofPath: String?, progress: Groth16.Progress?
    ) throws(Failure) -> (proof: Proof, publicSignals: [Fr]) {
        guard witness.count == key.wireCount else {
            throw .input(FormatError(file: witnessPath, problem: "has \(witness.count) values, \(zkeyPath) expects \(key.wireCount) wires"))
        }
        if let r1csPath {
            let r1cs: R1CS
            do { r1cs = try R1CSFile.read(r1csPath) } catch { throw .input(error) }
            do { try r1cs.checkSatisfied(by: witness) } catch { throw .unsatisfied(file: witnessPath, reason: error.description) }
        }
        let proof: Proof
        do { proof = try Groth16.prove(key: key, witness: witness, progress: progress) } catch { throw .rejected("\(error)") }
        progress?("writing outputs", 1)
        let publicSignals = Array(witness[1...key.publicCount])
        do {
            if let proofPath { try FileIO.writeAtomically(SnarkjsJSON.encodeProof(proof), to: proofPath) }
            if let publicPath { try FileIO.writeAtomically(SnarkjsJSON.encodePublicSignals(publicSignals), to: publicPath) }
            if let binaryProofPath { try FileIO.writeAtomically(ProofBytes.encode(proof), to: binaryProofPath) }
        } catch { throw .input(error) }
        return (proof, publicSignals)
    }

    /// Reads a proof as snarkjs JSON, or as the 256-byte binary form.
    public static func readProof(_ path: String) throws(FormatError) -> Proof {
        let bytes = try FileIO.read(path)
        let firstVisible = bytes.first { ![0x20, 0x0a, 0x0d, 0x09].contains($0) }
        if bytes.count == 256 && firstVisible != UInt8(ascii: "{") {
            return try ProofBytes.decode(bytes, file: path)
        }
        return try SnarkjsJSON.decodeProof(bytes, file: path)
    }

    /// True for a valid proof, false for an invalid one; throws for unreadable or malformed input.
    public static func verify(verificationKeyPath: String, proofPath: String, publicPath: String) throws(Failure) -> Bool {
        try verifyReadingSignals(verificationKeyPath: verificationKeyPath, proofPath: proofPath, publicPath: publicPath).valid
    }

    /// `verify`, also returning the public signals it read.
    public static func verifyReadingSignals(
        verificationKeyPath: String, proofPath: String, publicPath: String
    ) throws(Failure) -> (valid: Bool, signals: [Fr]) {
        let key: VerifyingKey, proof: Proof, signals: [Fr]
        do {
            key = try SnarkjsJSON.decodeVerifyingKey(FileIO.read(verificationKeyPath), file: verificationKeyPath)
            proof = try readProof(proofPath)
            signals = try SnarkjsJSON.decodePublicSignals(FileIO.read(publicPath), file: publicPath)
        } catch { throw .input(error) }
        guard signals.count == key.publicCount else {
            throw .input(FormatError(file: publicPath, problem: "has \(signals.count) public signals, \(verificationKeyPath) expects \(key.publicCount)"))
        }
        do { return (try Groth16.verify(key: key, publicSignals: signals, proof: proof), signals) } catch { throw .rejected("\(error)") }
    }

    /// Writes `verification_key.json` for a `.zkey`.
    public static func exportVerificationKey(zkeyPath: String, verificationKeyPath: String) throws(Failure) {
        do {
            let key = try ZKeyFile.read(zkeyPath)
            try FileIO.writeAtomically(SnarkjsJSON.encodeVerifyingKey(key.verifyingKey), to: verificationKeyPath)
        } catch { throw .input(error) }
    }
}
