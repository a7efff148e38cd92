import Algebra
import Benchmark
import BigNum
import ConstraintSystem
import Curves
import Groth16

/// BN254 arithmetic micro-benchmarks. Each timed loop is a dependency chain (the output feeds the
/// next input), so the numbers are latencies, not throughput of independent operations.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )
    var rng = SystemRandomNumberGenerator()
    let million = Benchmark.Configuration(scalingFactor: .mega)
    let thousand = Benchmark.Configuration(scalingFactor: .kilo)

    let frA = Fr.random(using: &rng), frB = Fr.random(using: &rng)
    Benchmark("Fr mul", configuration: million) { benchmark in
        var x = frA
        for _ in benchmark.scaledIterations { x = x * frB }
        blackHole(x)
    }
    // Four independent chains: per-multiplication throughput rather than latency (one scaled iteration = one mul).
    Benchmark("Fr mul, 4 independent chains", configuration: million) { benchmark in
        var (x0, x1, x2, x3) = (frA, frB, frA + frB, frA - frB)
        for _ in stride(from: 0, to: benchmark.scaledIterations.count, by: 4) {
            x0 = x0 * frB
            x1 = x1 * frA
            x2 = x2 * frB
            x3 = x3 * frA
        }
        blackHole(x0)
        blackHole(x1)
        blackHole(x2)
        blackHole(x3)
    }
    Benchmark("Fr square", configuration: million) { benchmark in
        var x = frA
        for _ in benchmark.scaledIterations { x = x.squared() }
        blackHole(x)
    }
    Benchmark("Fr add", configuration: million) { benchmark in
        var x = frA
        for _ in benchmark.scaledIterations { x = x + frB }
        blackHole(x)
    }
    let fqA = Fq.random(using: &rng), fqB = Fq.random(using: &rng)
    Benchmark("Fq mul", configuration: million) { benchmark in
        var x = fqA
        for _ in benchmark.scaledIterations { x = x * fqB }
        blackHole(x)
    }
    let mpn = MPNMontgomery(modulus: FqParameters.modulus)!
    Benchmark("Fq mul, GMP mpn Montgomery", configuration: million) { benchmark in
        var x = [fqA.l0, fqA.l1, fqA.l2, fqA.l3]
        let y = [fqB.l0, fqB.l1, fqB.l2, fqB.l3]
        var out = [UInt64](repeating: 0, count: 4)
        x.withUnsafeMutableBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { out in
                    for _ in benchmark.scaledIterations {
                        mpn.multiply(x.baseAddress!, y.baseAddress!, into: out.baseAddress!)
                        x.baseAddress!.update(from: out.baseAddress!, count: 4)
                    }
                }
            }
        }
        blackHole(x)
    }
    Benchmark("Fr inverse (GMP mpz_invert)", configuration: thousand) { benchmark in
        var x = frA
        for _ in benchmark.scaledIterations { x = x.inverse()! }
        blackHole(x)
    }
    Benchmark("Fr inverse (Fermat, fixed limbs)", configuration: thousand) { benchmark in
        var x = frA
        for _ in benchmark.scaledIterations { x = x.inverseByExponentiation()! }
        blackHole(x)
    }
    Benchmark("Fq add", configuration: million) { benchmark in
        var x = fqA
        for _ in benchmark.scaledIterations { x = x + fqB }
        blackHole(x)
    }
    Benchmark("Fq sub", configuration: million) { benchmark in
        var x = fqA
        for _ in benchmark.scaledIterations { x = x - fqB }
        blackHole(x)
    }
    // Sums and differences whose reduction step depends on random data, as inside the tower arithmetic.
    let fqTable = (0..<1024).map { _ in Fq.random(using: &rng) }
    Benchmark("Fq add, random operands", configuration: million) { benchmark in
        var x = fqA
        var index = 0
        for _ in benchmark.scaledIterations {
            x = x + fqTable[index]
            index = (index + 1) & 1023
        }
        blackHole(x)
    }
    Benchmark("Fq sub, random operands", configuration: million) { benchmark in
        var x = fqA
        var index = 0
        for _ in benchmark.scaledIterations {
            x = x - fqTable[index]
            index = (index + 1) & 1023
        }
        blackHole(x)
    }
    let fq2A = Fq2.random(using: &rng), fq2B = Fq2.random(using: &rng)
    Benchmark("Fq2 mul", configuration: million) { benchmark in
        var x = fq2A
        for _ in benchmark.scaledIterations { x = x * fq2B }
        blackHole(x)
    }
    Benchmark("Fq2 square", configuration: million) { benchmark in
        var x = fq2A
        for _ in benchmark.scaledIterations { x = x.squared() }
        blackHole(x)
    }
    Benchmark("Fq2 add", configuration: million) { benchmark in
        var x = fq2A
        for _ in benchmark.scaledIterations { x = x + fq2B }
        blackHole(x)
    }
    let fq6A = Fq6.random(using: &rng), fq6B = Fq6.random(using: &rng)
    Benchmark("Fq6 mul", configuration: thousand) { benchmark in
        var x = fq6A
        for _ in benchmark.scaledIterations { x = x * fq6B }
        blackHole(x)
    }
    let fq12A = Fq12.random(using: &rng), fq12B = Fq12.random(using: &rng)
    Benchmark("Fq12 square", configuration: thousand) { benchmark in
        var x = fq12A
        for _ in benchmark.scaledIterations { x = x.squared() }
        blackHole(x)
    }
    let cyclotomic = BN254Pairing.finalExponentiation(fq12A)
    Benchmark("Fq12 cyclotomic square", configuration: thousand) { benchmark in
        var x = cyclotomic
        for _ in benchmark.scaledIterations { x = x.cyclotomicSquared() }
        blackHole(x)
    }
    Benchmark("Fq12 mul", configuration: thousand) { benchmark in
        var x = fq12A
        for _ in benchmark.scaledIterations { x = x * fq12B }
        blackHole(x)
    }

    let g1 = BN254G1.generator * Fr.random(using: &rng)
    let g1Affine = (BN254G1.generator * Fr.random(using: &rng)).affine
    Benchmark("G1 mixed add", configuration: million) { benchmark in
        var point = g1
        for _ in benchmark.scaledIterations { point = point + g1Affine }
        blackHole(point)
    }
    Benchmark("G1 double", configuration: million) { benchmark in
        var point = g1
        for _ in benchmark.scaledIterations { point = point.doubled() }
        blackHole(point)
    }
    let scalar = Fr.random(using: &rng)
    Benchmark("G1 scalar mul", configuration: thousand) { benchmark in
        var point = g1
        for _ in benchmark.scaledIterations { point = point * scalar }
        blackHole(point)
    }
    let g2 = BN254G2.generator * Fr.random(using: &rng)
    Benchmark("G2 scalar mul") { benchmark in
        var point = g2
        for _ in benchmark.scaledIterations { point = point * scalar }
        blackHole(point)
    }
    let g2Affine = g2.affine
    Benchmark("G2 subgroup check") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(g2Affine.isInSubgroup) }
    }

    let p = g1.affine, q = g2.affine
    Benchmark("pairing") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(BN254Pairing.pairing(p, q)) }
    }
    let pairs = (0..<4).map { _ in
        ((BN254G1.generator * Fr.random(using: &rng)).affine, (BN254G2.generator * Fr.random(using: &rng)).affine)
    }
    Benchmark("multi-pairing of 4 (check)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(BN254Pairing.pairingCheck(pairs)) }
    }
    let prepared = pairs.map { ($0.0, G2Prepared($0.1)) }
    Benchmark("multi-pairing of 4 (check, G2 prepared)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(BN254Pairing.pairingCheck(prepared: prepared)) }
    }
    Benchmark("Miller loop") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(BN254Pairing.millerLoop([prepared[0]])) }
    }
    // Groth16 verification in the library (no process start or file reading): 3 public signals.
    let (circuit, witness) = SyntheticCircuits.chain(constraints: 64)
    let provingKey = try! Groth16.setup(circuit)
    let proof = try! Groth16.prove(key: provingKey, witness: witness)
    let verifyingKey = provingKey.verifyingKey
    let signals = Array(witness[1...circuit.publicCount])
    Benchmark("Groth16 verify") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! Groth16.verify(key: verifyingKey, publicSignals: signals, proof: proof)) }
    }
    let f = BN254Pairing.millerLoop([prepared[0]])
    Benchmark("final exponentiation") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(BN254Pairing.finalExponentiation(f)) }
    }
}
