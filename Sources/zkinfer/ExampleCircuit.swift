import ArgumentParser
import ConstraintSystem
import Formats

extension SyntheticCircuits.Kind: ExpressibleByArgument {}

struct ExampleCircuit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-circuit",
        abstract: "Write a synthetic circuit and its witness (for benchmarks and interoperability checks).")

    @Argument(help: "chain (x[i+1] = x[i]^2 + c) or bits (64-bit range checks).") var kind: SyntheticCircuits.Kind
    @Option(help: "Number of constraints (approximately, for bits).") var constraints: Int = 1000
    @Option(help: "Where to write the circuit.") var r1cs: String = "circuit.r1cs"
    @Option(help: "Where to write the witness.") var wtns: String = "witness.wtns"

    func validate() throws {
        guard (1...(1 << 27)).contains(constraints) else { throw ValidationError("--constraints must be in 1...2^27") }
    }

    func run() throws {
        let (circuit, witness) = SyntheticCircuits.make(kind, constraints: constraints)
        do {
            try R1CSFile.write(circuit, to: r1cs)
            try WitnessFile.write(witness, to: wtns)
        } catch { throw reportFailure(.input(error)) }
        print("example-circuit: \(kind.rawValue), \(circuit.constraints.count) constraints, \(circuit.wireCount) wires -> \(r1cs), \(wtns)")
    }
}
