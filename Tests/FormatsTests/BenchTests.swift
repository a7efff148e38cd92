import Algebra
import ConstraintSystem
import Formats
import Foundation
import Groth16
import Testing
import Workflows

@Suite struct BenchTests {
    /// A chain circuit's key and witness written to a fresh directory.
    static func files(corruptingWire wire: Int? = nil) throws -> (zkey: String, witness: String, r1cs: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (r1cs, witness) = SyntheticCircuits.chain(constraints: 300)
        let paths = (directory.appendingPathComponent("c.zkey").path, directory.appendingPathComponent("c.wtns").path,
                     directory.appendingPathComponent("c.r1cs").path)
        try ZKeyFile.write(Groth16.setup(r1cs), to: paths.0)
        var written = witness
        if let wire { written[wire] += .one }
        try WitnessFile.write(written, to: paths.1)
        try R1CSFile.write(r1cs, to: paths.2)
        return paths
    }

    @Test func everyStepIsTimedInEveryRun() throws {
        let paths = try Self.files()
        let report = try BenchWorkflows.run(.files(zkey: paths.zkey, witness: paths.witness, r1cs: paths.r1cs), runs: 2, includeSetup: true)
        let names = report.steps.map(\.name)
        #expect(names.first == "setup" && names.contains("witness") && names.contains("prove: MSM H") && names.last == "verify")
        #expect(report.steps.allSatisfy { $0.seconds.count == 2 && $0.minimum <= $0.median && $0.median <= $0.maximum })
        #expect(report.constraints == 300 && report.domainSize >= 512 && report.peakMemoryBytes > 0)
        // The prover's steps add up to no more than prove's total.
        let total = report.steps.first { $0.name == "prove (total)" }!
        let parts = report.steps.filter { $0.name.hasPrefix("prove: ") }.map(\.minimum).reduce(0, +)
        #expect(parts <= total.maximum + 1e-3)
        #expect(BenchWorkflows.svg(report).contains("prove: MSM H"))
    }

    /// A witness that does not satisfy the circuit makes proofs that fail: the bench refuses to report times.
    @Test func aFailingProofStopsTheBench() throws {
        let paths = try Self.files(corruptingWire: 5)
        #expect(throws: Workflows.Failure.self) {
            try BenchWorkflows.run(.files(zkey: paths.zkey, witness: paths.witness, r1cs: nil), runs: 1, includeSetup: false)
        }
    }
}
