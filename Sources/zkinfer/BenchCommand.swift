import ArgumentParser
import Formats
import Foundation
import Workflows

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "How long proving takes on this machine: setup (optional), prove and verify, several runs, per step.",
        discussion: """
            Give a compiled model directory and --input, or a .zkey and a .wtns (--r1cs adds the constraint count and \
            allows --setup). Prints min, median and max per step (the prover's own steps included), peak memory, the \
            circuit's size, the CPU, its cores and the field kernel in use. Every run's proof is verified; a run whose \
            proof fails stops the bench with exit code 4.
            """)

    @Argument(help: "A model directory (after setup), or a proving key (.zkey).") var target: String
    @Argument(help: "The witness (.wtns), with a .zkey.") var witness: String?
    @Option(help: "The model input, with a model directory.") var input: String?
    @Option(help: "The circuit (.r1cs), with a .zkey.") var r1cs: String?
    @Option(help: "How many runs.") var runs: Int = 3
    @Flag(help: "Time a fresh (development) setup each run instead of reading the key.") var setup = false
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Also write an SVG chart of the step medians to this file.") var plot: String?

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if isDirectory(target) {
            guard input != nil, witness == nil else { throw ValidationError("a model directory needs --input (and no witness)") }
        } else {
            guard witness != nil else { throw ValidationError("a .zkey needs its witness (.wtns)") }
        }
    }

    func run() throws {
        let benchTarget: BenchWorkflows.Target
        if isDirectory(target), let input {
            benchTarget = .model(directory: target, input: input)
        } else {
            benchTarget = .files(zkey: target, witness: witness ?? "", r1cs: r1cs)
        }
        let interactive = isatty(2) != 0 && !json
        var progress: (@Sendable (String) -> Void)?
        if interactive {
            progress = { (line: String) in FileHandle.standardError.write(Data("\rbench: \(line)   ".utf8)) }
        }
        let report: BenchWorkflows.Report
        do { report = try BenchWorkflows.run(benchTarget, runs: runs, includeSetup: setup, progress: progress) }
        catch { throw reportFailure(error) }
        if interactive { FileHandle.standardError.write(Data("\r".utf8)) }
        print(json ? BenchWorkflows.json(report) : BenchWorkflows.text(report))
        if let plot {
            do { try FileIO.writeAtomically(BenchWorkflows.svg(report), to: plot) } catch { throw reportFailure(.input(error)) }
        }
    }
}
