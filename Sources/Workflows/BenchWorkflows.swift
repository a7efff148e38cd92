import Algebra
import ConstraintSystem
import Formats
import Foundation
import Groth16
#if canImport(Glibc)
import Glibc
#endif

/// `zkinfer bench`: setup (optional), prove and verify run several times, with each step's times.
public enum BenchWorkflows {
    public struct Step: Sendable, Encodable {
        public var name: String
        /// Seconds, one per run.
        public var seconds: [Double]
        public var minimum: Double { seconds.min() ?? 0 }
        public var maximum: Double { seconds.max() ?? 0 }
        public var median: Double {
            let sorted = seconds.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }

        enum Keys: String, CodingKey { case name, seconds, minimum, median, maximum }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(minimum, forKey: .minimum)
            try container.encode(median, forKey: .median)
            try container.encode(maximum, forKey: .maximum)
        }
    }

    public struct Report: Sendable, Encodable {
        public var target: String
        public var runs: Int
        public var constraints: Int?
        public var wires: Int
        public var publicSignals: Int
        public var domainSize: Int
        /// In order: setup (when asked), reading the key, the witness, each prover step, prove in total, verify.
        public var steps: [Step]
        public var peakMemoryBytes: Int
        public var cpu: String
        public var cores: Int
        /// "ADX" (MULX/ADCX/ADOX Montgomery multiplication) or "portable".
        public var kernel: String
    }

    /// Where the circuit, the key and the witness come from.
    public enum Target: Sendable {
        /// A compiled model directory and one input; the key is its `circuit.zkey`, or a fresh setup.
        case model(directory: String, input: String)
        /// A `.zkey` and a `.wtns` (with the `.r1cs` when a setup or the constraint count is wanted).
        case files(zkey: String, witness: String, r1cs: String?)
    }

    /// Times `runs` rounds; each round's proof must verify, or the bench fails (a slow wrong prover is no result).
    public static func run(_ target: Target, runs: Int, includeSetup: Bool, progress: (@Sendable (String) -> Void)? = nil) throws(Workflows.Failure) -> Report {
        var steps: [String: [Double]] = [:]
        var order: [String] = []
        func record(_ name: String, _ seconds: Double) {
            if steps[name] == nil { order.append(name) }
            steps[name, default: []].append(seconds)
        }
        func timed<T>(_ name: String, _ body: () throws(Workflows.Failure) -> T) throws(Workflows.Failure) -> T {
            let start = DispatchTime.now()
            let value = try body()
            record(name, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
            return value
        }

        let r1csPath: String?, zkeyPath: String, label: String
        var compiled: ModelWorkflows.CompiledModel?
        switch target {
        case let .model(directory, _):
            let files = ModelWorkflows.Files(directory)
            compiled = try ModelWorkflows.readCompiled(directory)
            (r1csPath, zkeyPath, label) = (files.r1cs, files.zkey, directory)
        case let .files(zkey, _, r1cs):
            (r1csPath, zkeyPath, label) = (r1cs, zkey, zkey)
        }
        var r1cs: R1CS?
        if let r1csPath {
            do { r1cs = try R1CSFile.read(r1csPath) } catch { throw .input(error) }
        }
        if includeSetup && r1cs == nil {
            throw .input(FormatError(file: zkeyPath, problem: "--setup needs the circuit: give --r1cs with the .zkey"))
        }

        var domainSize = 0, wires = 0, publicSignals = 0
        for round in 1...runs {
            progress?("run \(round) of \(runs)")
            let key: ProvingKey
            if includeSetup, let r1cs {
                key = try timed("setup") { () throws(Workflows.Failure) -> ProvingKey in
                    do { return try Groth16.setup(r1cs) } catch { throw .rejected("\(label): \(error)") }
                }
            } else {
                key = try timed("read key") { () throws(Workflows.Failure) -> ProvingKey in
                    do { return try ZKeyFile.read(zkeyPath) } catch let error as FormatError { throw .input(error) } catch { throw .rejected("\(error)") }
                }
            }
            (domainSize, wires, publicSignals) = (key.domainSize, key.wireCount, key.publicCount)
            let witness: [Fr] = try timed("witness") { () throws(Workflows.Failure) -> [Fr] in
                switch target {
                case let .model(_, input): return try ModelWorkflows.lower(compiled!, inputPath: input).witness
                case let .files(_, witnessPath, _):
                    do { return try WitnessFile.read(witnessPath) } catch let error as FormatError { throw .input(error) } catch { throw .rejected("\(error)") }
                }
            }
            guard witness.count == key.wireCount else {
                throw .input(FormatError(file: zkeyPath, problem: "expects \(key.wireCount) wires; the witness has \(witness.count)"))
            }
            // Each prover step lasts from its progress call to the next one (the last, to the end of prove).
            let clock = StepClock()
            let proveStart = DispatchTime.now()
            let proof: Proof
            do { proof = try Groth16.prove(key: key, witness: witness, progress: { step, _ in clock.lap(step) }) } catch {
                throw .rejected("\(label): \(error)")
            }
            for (name, seconds) in clock.finish() { record("prove: \(name)", seconds) }
            record("prove (total)", Double(DispatchTime.now().uptimeNanoseconds - proveStart.uptimeNanoseconds) / 1e9)
            let verifying = key.verifyingKey
            let valid = try timed("verify") { () throws(Workflows.Failure) -> Bool in
                do { return try Groth16.verify(key: verifying, publicSignals: Array(witness[1...key.publicCount]), proof: proof) } catch {
                    throw .rejected("\(label): \(error)")
                }
            }
            guard valid else { throw .rejected("\(label): run \(round)'s proof does not verify: the witness does not satisfy the circuit") }
        }
        return Report(
            target: label, runs: runs, constraints: r1cs?.constraints.count, wires: wires, publicSignals: publicSignals,
            domainSize: domainSize, steps: order.map { Step(name: $0, seconds: steps[$0]!) }, peakMemoryBytes: peakMemoryBytes(),
            cpu: cpuModel(), cores: Parallel.coreCount, kernel: fieldArithmeticUsesADX ? "ADX" : "portable")
    }

    static func peakMemoryBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown CPU" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The report as text: one line per step with min, median and max.
    public static func text(_ report: Report) -> String {
        func column(_ text: String) -> String { text.padding(toLength: 26, withPad: " ", startingAt: 0) }
        func seconds(_ value: Double) -> String {
            let text = String(format: "%.3f s", value)
            return String(repeating: " ", count: max(0, 11 - text.count)) + text
        }
        var lines = [
            "bench: \(report.target): \(report.constraints.map { "\($0) constraints, " } ?? "")\(report.wires) wires, " +
                "\(report.publicSignals) public, domain 2^\(report.domainSize.trailingZeroBitCount); \(report.runs) runs",
            "machine: \(report.cpu), \(report.cores) cores, \(report.kernel) field kernel; peak memory \(report.peakMemoryBytes / (1 << 20)) MiB",
            column("step") + "        min     median        max",
        ]
        for step in report.steps {
            lines.append(column(step.name) + seconds(step.minimum) + seconds(step.median) + seconds(step.maximum))
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ report: Report) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(report), as: UTF8.self)
    }

    /// An SVG bar chart of each step's median (prove's steps, then the others), for `--plot`.
    public static func svg(_ report: Report) -> String {
        let steps = report.steps.filter { $0.name != "prove (total)" }
        let longest = max(steps.map(\.median).max() ?? 1, 1e-9)
        let rowHeight = 26, left = 220, width = 460
        let height = 50 + rowHeight * steps.count
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(left + width + 120)" height="\(height)" font-family="sans-serif" font-size="13">
            <text x="10" y="22" font-size="15">zkinfer bench: \(escape(report.target)), domain 2^\(report.domainSize.trailingZeroBitCount), median of \(report.runs) runs</text>

            """
        for (index, step) in steps.enumerated() {
            let y = 40 + rowHeight * index
            let barWidth = max(1, Int(Double(width) * step.median / longest))
            svg += "<text x=\"10\" y=\"\(y + 16)\">\(escape(step.name))</text>"
            svg += "<rect x=\"\(left)\" y=\"\(y + 4)\" width=\"\(barWidth)\" height=\"16\" fill=\"#4a78b5\"/>"
            svg += String(format: "<text x=\"%d\" y=\"%d\">%.3f s</text>\n", left + barWidth + 6, y + 16, step.median)
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
