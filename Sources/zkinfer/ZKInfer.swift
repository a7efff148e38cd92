import ArgumentParser

@main
struct ZKInfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkinfer",
        abstract: "Prove neural-network inference in zero knowledge (Groth16 over BN254).",
        discussion: """
            Exit codes: 0 success (verify: valid proof), 1 invalid proof, 2 unreadable or malformed input, \
            3 witness does not satisfy the circuit, 4 rejected by the proving system, 64 bad usage.
            """,
        subcommands: [Demo.self, Compile.self, Inspect.self, Setup.self, PTau.self, ZKey.self, Prove.self, Verify.self, ExportVerificationKey.self, ExportVerifier.self, Calldata.self, VerifyEVM.self, Bench.self, ExampleCircuit.self, SelfCheck.self]
    )
}
