import ArgumentParser
import Curves

struct SelfCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selfcheck",
        abstract: "Check BN254 arithmetic on this machine against GMP and the pairing laws."
    )

    @Option(help: "Random samples per field check.")
    var samples = 1000

    func run() throws {
        var generator = SystemRandomNumberGenerator()
        let outcomes = BN254SelfCheck.run(samples: samples, using: &generator)
        for outcome in outcomes {
            print("\(outcome.passed ? "ok  " : "FAIL") \(outcome.name)")
        }
        let failures = outcomes.filter { !$0.passed }.count
        print("\(outcomes.count - failures) passed, \(failures) failed")
        if failures > 0 { throw ExitCode(1) }
    }
}
