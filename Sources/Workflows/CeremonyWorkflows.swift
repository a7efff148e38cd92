import Ceremony
import ConstraintSystem
import Formats
import Foundation
import Groth16

/// Powers of tau and keys from them: `ptau info`, `ptau prepare`, `setup --ptau`.
public enum CeremonyWorkflows {
    public struct PTauInfo: Sendable {
        public var path: String
        public var power: Int
        public var ceremonyPower: Int
        public var prepared: Bool
        /// Each contribution's name (or nil) and whether it is a beacon.
        public var contributions: [(name: String?, beacon: Bool)]
        /// BLAKE2b-512 of the whole file, hex.
        public var fileHash: String
        /// The power of the Hermez file with this hash, when it is one.
        public var hermezPower: Int?
    }

    public static func info(_ path: String) throws(Workflows.Failure) -> PTauInfo {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw .input(error) }
        let ptau: PowersOfTau
        do { ptau = try PTauFile.decode(bytes, file: path) } catch { throw .input(error) }
        let hash = Hex.encode(Digest.blake2b512(bytes))
        return PTauInfo(
            path: path, power: ptau.power, ceremonyPower: ptau.ceremonyPower, prepared: ptau.lagrange != nil,
            contributions: ptau.contributions.map { ($0.name, $0.type == 1) }, fileHash: hash,
            hermezPower: HermezPTau.power(matching: hash))
    }

    /// Reads `input`, computes the Lagrange sections 12-15 and writes `output` atomically.
    public static func prepare(input: String, output: String, progress: PreparePhase2.Progress? = nil) throws(Workflows.Failure) -> PowersOfTau {
        let ptau: PowersOfTau
        do { ptau = try PTauFile.read(input) } catch { throw .input(error) }
        if ptau.lagrange != nil { throw .input(FormatError(file: input, problem: "is already prepared (it has sections 12-15)")) }
        let prepared = PreparePhase2.prepare(ptau, progress: progress)
        do { try PTauFile.write(prepared, to: output) } catch { throw .input(error) }
        return prepared
    }

    public struct PTauSetupResult: Sendable {
        public var setup: Workflows.SetupResult
        public var circuitHash: String
    }

    /// snarkjs's `groth16 setup`: the key from a prepared ptau, written in snarkjs's layout (byte-identical to its
    /// output), with the circuit hash in section 10 and no contribution; and the verification key when asked.
    public static func setup(
        r1csPath: String, ptauPath: String, zkeyPath: String, verificationKeyPath: String?
    ) throws(Workflows.Failure) -> PTauSetupResult {
        let r1cs: R1CS, fileOrder: [R1CSFile.FileOrderConstraint], ptau: PowersOfTau
        do {
            (r1cs, fileOrder) = try R1CSFile.decodeKeepingFileOrder(FileIO.read(r1csPath), file: r1csPath)
            ptau = try PTauFile.read(ptauPath)
        } catch { throw .input(error) }
        let result: PTauSetup.Result
        do { result = try PTauSetup.setup(r1cs, fileOrder: fileOrder, ptau: ptau) } catch {
            throw .input(FormatError(file: ptauPath, problem: error.description + " (circuit \(r1csPath))"))
        }
        let section10 = ZKeyContributions(circuitHash: result.circuitHash, contributions: []).encode()
        do {
            try FileIO.writeAtomically(ZKeyFile.encode(result.key, contributions: section10, sectionOrder: PTauSetup.sectionOrder), to: zkeyPath)
            if let verificationKeyPath {
                try FileIO.writeAtomically(SnarkjsJSON.encodeVerifyingKey(result.key.verifyingKey), to: verificationKeyPath)
            }
        } catch { throw .input(error) }
        let setup = Workflows.SetupResult(constraintCount: r1cs.constraints.count, wireCount: r1cs.wireCount,
                                          publicCount: r1cs.publicCount, domainSize: result.key.domainSize)
        return PTauSetupResult(setup: setup, circuitHash: Hex.encode(result.circuitHash))
    }
}

extension CeremonyWorkflows {
    /// What `zkey verify` found: the report, or why the key is invalid (exit code 1).
    public enum ZKeyVerdict: Sendable {
        case valid(Phase2Verification.Report)
        case invalid(String)
    }

    /// snarkjs's `zkey verify`: the key against a fresh setup from the circuit and the ptau (prepared or not).
    public static func verifyZKey(zkeyPath: String, r1csPath: String, ptauPath: String) throws(Workflows.Failure) -> ZKeyVerdict {
        let r1cs: R1CS, fileOrder: [R1CSFile.FileOrderConstraint], ptau: PowersOfTau
        do {
            (r1cs, fileOrder) = try R1CSFile.decodeKeepingFileOrder(FileIO.read(r1csPath), file: r1csPath)
            ptau = try PTauFile.read(ptauPath)
        } catch { throw .input(error) }
        let initial: PTauSetup.Result
        do { initial = try PTauSetup.setup(r1cs, fileOrder: fileOrder, ptau: ptau) } catch {
            throw .input(FormatError(file: ptauPath, problem: error.description + " (circuit \(r1csPath))"))
        }
        return try verify(zkeyPath: zkeyPath, initial: initial.key, initialCircuitHash: initial.circuitHash)
    }

    /// The key against the initial key it started from (snarkjs's `_0000.zkey`), when the ptau is not at hand.
    public static func verifyZKey(zkeyPath: String, initialPath: String) throws(Workflows.Failure) -> ZKeyVerdict {
        let initial: ProvingKey, initialContributions: ZKeyContributions
        do {
            let bytes = try FileIO.read(initialPath)
            initial = try ZKeyFile.decode(bytes, file: initialPath)
            initialContributions = try ZKeyContributions.decode(bytes, file: initialPath)
        } catch { throw .input(error) }
        return try verify(zkeyPath: zkeyPath, initial: initial, initialCircuitHash: initialContributions.circuitHash)
    }

    static func verify(zkeyPath: String, initial: ProvingKey, initialCircuitHash: [UInt8]) throws(Workflows.Failure) -> ZKeyVerdict {
        let key: ProvingKey, contributions: ZKeyContributions
        do {
            let bytes = try FileIO.read(zkeyPath)
            key = try ZKeyFile.decode(bytes, file: zkeyPath)
            contributions = try ZKeyContributions.decode(bytes, file: zkeyPath)
        } catch { throw .input(error) }
        do {
            return .valid(try Phase2Verification.verify(key: key, contributions: contributions, initial: initial,
                                                        initialCircuitHash: initialCircuitHash))
        } catch { return .invalid(error.reason) }
    }
}

extension CeremonyWorkflows {
    /// A contribution's random stream: a beacon's (SHA-256 applied 2^E times to its hash, in snarkjs's ranges), or
    /// the system CSPRNG mixed with the user's entropy text.
    static func contributionStream(
        beacon: (hash: [UInt8], iterationsExp: UInt8)?, entropy: String, file: String
    ) throws(Workflows.Failure) -> ChaChaStream {
        guard let beacon else { return Phase2Contribution.entropyStream(text: entropy) }
        guard !beacon.hash.isEmpty, beacon.hash.count < 256 else {
            throw .input(FormatError(file: file, problem: "the beacon hash must be 1 to 255 bytes"))
        }
        guard (10...63).contains(beacon.iterationsExp) else {
            throw .input(FormatError(file: file, problem: "the beacon's iteration exponent must be in 10...63 (snarkjs's range)"))
        }
        return SnarkjsRandom.beaconStream(beaconHash: beacon.hash, iterationsExp: Int(beacon.iterationsExp))
    }

    /// `zkey contribute` (entropy from the system CSPRNG mixed with `entropy`) or, with `beacon`, `zkey beacon`;
    /// writes the new key atomically in snarkjs's layout and returns the contribution's hash.
    public static func contribute(
        input: String, output: String, name: String?, entropy: String, beacon: (hash: [UInt8], iterationsExp: UInt8)? = nil
    ) throws(Workflows.Failure) -> [UInt8] {
        let key: ProvingKey, contributions: ZKeyContributions
        do {
            let bytes = try FileIO.read(input)
            key = try ZKeyFile.decode(bytes, file: input)
            contributions = try ZKeyContributions.decode(bytes, file: input)
        } catch { throw .input(error) }
        let rng = try contributionStream(beacon: beacon, entropy: entropy, file: input)
        let result = Phase2Contribution.contribute(key: key, contributions: contributions, name: name, rng: rng, beacon: beacon)
        do { try FileIO.writeAtomically(ZKeyFile.encode(result.key, contributions: result.contributions.encode()), to: output) }
        catch { throw .input(error) }
        return result.hash
    }
}

extension CeremonyWorkflows {
    /// `ptau new`: a fresh phase-1 file of `power` (every point the generator), written atomically.
    public static func newPTau(power: Int, output: String) throws(Workflows.Failure) -> [UInt8] {
        guard (1...PTauFile.maximumPower).contains(power) else {
            throw .input(FormatError(file: output, problem: "power \(power) is outside 1...\(PTauFile.maximumPower)"))
        }
        do { try PTauFile.write(PhaseOne.new(power: power), to: output) } catch { throw .input(error) }
        return PhaseOne.firstChallengeHash(power: power)
    }

    /// `ptau contribute` (or `ptau beacon`): the new file and the response hash.
    public static func contributePTau(
        input: String, output: String, name: String?, entropy: String, beacon: (hash: [UInt8], iterationsExp: UInt8)? = nil
    ) throws(Workflows.Failure) -> [UInt8] {
        let ptau: PowersOfTau
        do { ptau = try PTauFile.read(input) } catch { throw .input(error) }
        let rng = try contributionStream(beacon: beacon, entropy: entropy, file: input)
        let result: (ptau: PowersOfTau, responseHash: [UInt8])
        do { result = try PhaseOne.contribute(ptau, name: name, rng: rng, beacon: beacon) } catch {
            throw .input(FormatError(file: input, problem: error.reason))
        }
        do { try PTauFile.write(result.ptau, to: output) } catch { throw .input(error) }
        return result.responseHash
    }

    public enum PTauVerdict: Sendable {
        case valid([PhaseOne.ContributionReport], prepared: Bool)
        case invalid(String)
    }

    public static func verifyPTau(_ path: String) throws(Workflows.Failure) -> PTauVerdict {
        let ptau: PowersOfTau
        do { ptau = try PTauFile.read(path, checkSubgroup: false) } catch { throw .input(error) }
        do { return .valid(try PhaseOne.verify(ptau), prepared: ptau.lagrange != nil) } catch { return .invalid(error.reason) }
    }
}
