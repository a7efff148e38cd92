import ArgumentParser

@main
struct ZKInfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkinfer",
        abstract: "Prove neural-network inference in zero knowledge (Groth16 over BN254).",
        subcommands: [SelfCheck.self]
    )
}
