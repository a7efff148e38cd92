import ArgumentParser
import Formats
import Workflows

struct PTau: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptau",
        abstract: "Powers-of-tau files (phase 1 of a Groth16 setup), snarkjs-compatible.",
        subcommands: [PTauNew.self, PTauContribute.self, PTauBeacon.self, PTauVerify.self, PTauPrepare.self, PTauInfoCommand.self])
}

struct PTauInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a .ptau's power, contributions and BLAKE2b-512, and whether it is a published Hermez file.")

    @Argument(help: "The .ptau file.") var file: String

    func run() throws {
        let info: CeremonyWorkflows.PTauInfo
        do { info = try CeremonyWorkflows.info(file) } catch { throw reportFailure(error) }
        print("\(info.path): power \(info.power) (circuits up to 2^\(info.power) constraints + public signals), ceremony power \(info.ceremonyPower)")
        print("prepared for phase 2 (sections 12-15): \(info.prepared ? "yes" : "no; run `zkinfer ptau prepare`")")
        print("contributions: \(info.contributions.count)")
        for (index, contribution) in info.contributions.enumerated() {
            print("  \(index + 1): \(contribution.beacon ? "beacon" : "contribution") \(contribution.name.map { "\"\($0)\"" } ?? "(no name)")")
        }
        print("BLAKE2b-512: \(info.fileHash)")
        if let power = info.hermezPower {
            print("matches the published hash of powersOfTau28_hez_final_\(power == 28 ? "" : String(format: "%02d", power)).ptau (snarkjs's README)")
        } else {
            print("not one of the published Hermez files")
        }
    }
}

struct PTauPrepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Add the Lagrange-basis sections 12-15 (snarkjs's `powersoftau prepare phase2`).")

    @Argument(help: "The .ptau to prepare.") var input: String
    @Argument(help: "Where to write the prepared .ptau.") var output: String
    @Flag(help: "Print each step's duration on stderr.") var timings = false

    func run() throws {
        do {
            let prepared = try CeremonyWorkflows.prepare(input: input, output: output, progress: terminalProgress("ptau prepare", timings: timings))
            print("ptau prepare: power \(prepared.power), Lagrange points for 2^0 ... 2^\(prepared.power) -> \(output)")
        } catch { throw reportFailure(error) }
    }
}

struct ZKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkey",
        abstract: "Phase-2 Groth16 keys (.zkey), snarkjs-compatible.",
        subcommands: [ZKeyVerify.self, ZKeyContribute.self, ZKeyBeacon.self])
}

struct ZKeyVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a phase-2 key's contributions and sections (snarkjs's `zkey verify`).",
        discussion: """
            Give the circuit, the powers of tau and the key (`zkey verify circuit.r1cs pot.ptau final.zkey`), or the key \
            and the initial key it started from (`zkey verify final.zkey --initial circuit_0000.zkey`). Checks each \
            contribution's transcript and proof of knowledge, beacons, the delta chain, that IC, the coefficients, A, B1 \
            and B2 equal the initial key's, and C and H by random linear combinations. Exit code 0 (valid), 1 (invalid), \
            2 (unreadable).
            """)

    @Argument(help: "circuit.r1cs pot.ptau final.zkey, or final.zkey with --initial.") var paths: [String]
    @Option(help: "The initial key (snarkjs's _0000.zkey), instead of the circuit and ptau.") var initial: String?

    func validate() throws {
        guard initial == nil ? paths.count == 3 : paths.count == 1 else {
            throw ValidationError("give circuit.r1cs pot.ptau final.zkey, or final.zkey --initial initial.zkey")
        }
    }

    func run() throws {
        let verdict: CeremonyWorkflows.ZKeyVerdict
        do {
            if let initial {
                verdict = try CeremonyWorkflows.verifyZKey(zkeyPath: paths[0], initialPath: initial)
            } else {
                verdict = try CeremonyWorkflows.verifyZKey(zkeyPath: paths[2], r1csPath: paths[0], ptauPath: paths[1])
            }
        } catch { throw reportFailure(error) }
        switch verdict {
        case let .invalid(reason):
            print("INVALID: \(reason)")
            throw ExitCode(1)
        case let .valid(report):
            print("circuit hash: \(Hex.encode(report.circuitHash))")
            if report.contributions.isEmpty { print("no phase-2 contribution: delta is the generator, and proofs can be forged") }
            for contribution in report.contributions {
                print("contribution #\(contribution.index) \(contribution.isBeacon ? "(beacon) " : "")\(contribution.name.map { "\"\($0)\"" } ?? "(no name)"): \(Hex.encode(contribution.hash))")
                if let beacon = contribution.beaconHash, let exponent = contribution.beaconIterationsExp {
                    print("  beacon hash \(Hex.encode(beacon)), 2^\(exponent) iterations")
                }
            }
            print("ZKey OK")
        }
    }
}


struct ZKeyContribute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contribute",
        abstract: "Add a phase-2 contribution to a .zkey (snarkjs's `zkey contribute`).",
        discussion: """
            The secret comes from the system's CSPRNG mixed with --entropy (BLAKE2b, then ChaCha20, as snarkjs); it stays \
            in memory and is never written. The key is safe if any one contributor destroyed their secret.
            """)

    @Argument(help: "The key to contribute to.") var input: String
    @Argument(help: "Where to write the new key.") var output: String
    @Option(help: "The contributor's name, recorded in the key.") var name: String?
    @Option(help: "Extra entropy text, mixed with the system's randomness.") var entropy: String = ""

    func run() throws {
        do {
            let hash = try CeremonyWorkflows.contribute(input: input, output: output, name: name, entropy: entropy)
            print("zkey contribute -> \(output)\ncontribution hash: \(Hex.encode(hash))")
        } catch { throw reportFailure(error) }
    }
}

struct ZKeyBeacon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beacon",
        abstract: "Add a beacon contribution (snarkjs's `zkey beacon`): a public, reproducible last contribution.",
        discussion: "The secret is derived from the beacon hash by 2^E rounds of SHA-256, so anyone can check it.")

    @Argument(help: "The key to contribute to.") var input: String
    @Argument(help: "Where to write the new key.") var output: String
    @Option(help: "The beacon value, hex (for example a future block hash).") var hash: String
    @Option(help: "E: SHA-256 is applied 2^E times (10...63).") var iterations: UInt8 = 10
    @Option(help: "A name recorded in the key.") var name: String?

    func run() throws {
        guard let bytes = Hex.decode(hash), !bytes.isEmpty else { throw ValidationError("--hash must be hexadecimal") }
        do {
            let digest = try CeremonyWorkflows.contribute(input: input, output: output, name: name, entropy: "",
                                                          beacon: (bytes, iterations))
            print("zkey beacon -> \(output)\ncontribution hash: \(Hex.encode(digest))")
        } catch { throw reportFailure(error) }
    }
}


struct PTauNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Start a phase-1 ceremony: a powers-of-tau file of the given power (snarkjs's `powersoftau new`).")

    @Argument(help: "The power p: the file will serve circuits of up to 2^p constraints plus public signals.") var power: Int
    @Argument(help: "Where to write the .ptau.") var output: String

    func run() throws {
        do {
            let challenge = try CeremonyWorkflows.newPTau(power: power, output: output)
            print("ptau new: power \(power) -> \(output)\nfirst challenge hash: \(Hex.encode(challenge))")
            printError("note: tau is 1 until someone contributes (zkinfer ptau contribute).")
        } catch { throw reportFailure(error) }
    }
}

struct PTauContribute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contribute",
        abstract: "Add a phase-1 contribution (snarkjs's `powersoftau contribute`).",
        discussion: """
            The secrets come from the system's CSPRNG mixed with --entropy and are never written. snarkjs's verifier \
            cannot check a file whose last contribution is zkinfer's (zkinfer cannot write BLAKE2b's internal state, \
            which snarkjs stores); zkinfer's own `ptau verify` checks it fully.
            """)

    @Argument(help: "The .ptau to contribute to.") var input: String
    @Argument(help: "Where to write the new .ptau.") var output: String
    @Option(help: "The contributor's name.") var name: String?
    @Option(help: "Extra entropy text, mixed with the system's randomness.") var entropy: String = ""

    func run() throws {
        do {
            let response = try CeremonyWorkflows.contributePTau(input: input, output: output, name: name, entropy: entropy)
            print("ptau contribute -> \(output)\nresponse hash: \(Hex.encode(response))")
        } catch { throw reportFailure(error) }
    }
}

struct PTauBeacon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beacon", abstract: "Add a beacon contribution to a .ptau (snarkjs's `powersoftau beacon`).")

    @Argument(help: "The .ptau to contribute to.") var input: String
    @Argument(help: "Where to write the new .ptau.") var output: String
    @Option(help: "The beacon value, hex.") var hash: String
    @Option(help: "E: SHA-256 is applied 2^E times (10...63).") var iterations: UInt8 = 10
    @Option(help: "A name recorded in the file.") var name: String?

    func run() throws {
        guard let bytes = Hex.decode(hash), !bytes.isEmpty else { throw ValidationError("--hash must be hexadecimal") }
        do {
            let response = try CeremonyWorkflows.contributePTau(input: input, output: output, name: name, entropy: "",
                                                                beacon: (bytes, iterations))
            print("ptau beacon -> \(output)\nresponse hash: \(Hex.encode(response))")
        } catch { throw reportFailure(error) }
    }
}

struct PTauVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a .ptau's contributions and powers (snarkjs's `powersoftau verify`).",
        discussion: "Exit code 0 (valid), 1 (invalid), 2 (unreadable).")

    @Argument(help: "The .ptau file.") var file: String

    func run() throws {
        let verdict: CeremonyWorkflows.PTauVerdict
        do { verdict = try CeremonyWorkflows.verifyPTau(file) } catch { throw reportFailure(error) }
        switch verdict {
        case let .invalid(reason):
            print("INVALID: \(reason)")
            throw ExitCode(1)
        case let .valid(contributions, prepared):
            if contributions.isEmpty {
                print("no contribution yet: a fresh ceremony file (tau = 1). Contribute before making keys from it; snarkjs's verify refuses such a file.")
            }
            for contribution in contributions {
                print("contribution #\(contribution.index) \(contribution.isBeacon ? "(beacon) " : "")\(contribution.name.map { "\"\($0)\"" } ?? "(no name)"): next challenge \(Hex.encode(contribution.nextChallenge))")
            }
            print(prepared ? "Lagrange sections 12-15 checked" : "not prepared for phase 2 (zkinfer ptau prepare)")
            print("Powers of tau OK")
        }
    }
}
