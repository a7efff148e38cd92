import Algebra

/// Synthetic circuits with their witnesses, for benchmarks and interoperability checks.
public enum SyntheticCircuits {
    public enum Kind: String, CaseIterable, Sendable {
        /// x[i+1] = x[i]^2 + c: dense, random-looking witness values.
        case chain
        /// 64-bit range checks (bit decompositions): a witness that is mostly zeros and ones.
        case bits
    }

    public static func make(_ kind: Kind, constraints: Int, seed: UInt64 = 1) -> (r1cs: R1CS, witness: [Fr]) {
        switch kind {
        case .chain: return chain(constraints: constraints, seed: seed)
        case .bits: return bits(constraints: constraints, seed: seed)
        }
    }

    /// Public output x[n], public input c, private input x[0]; n constraints x[i] * x[i] = x[i+1] - c.
    public static func chain(constraints: Int, seed: UInt64 = 1) -> (r1cs: R1CS, witness: [Fr]) {
        precondition(constraints >= 1, "a chain needs at least one step")
        var values: [Fr] = [Fr(seed &+ 2)]
        let c = Fr(seed &* 7 &+ 3)
        for _ in 0..<constraints { values.append(values[values.count - 1].squared() + c) }
        var builder = ConstraintSystemBuilder()
        let output = builder.allocate(.publicOutput, value: values[constraints])
        let constant = builder.allocate(.publicInput, value: c)
        var current = builder.allocate(.privateInput, value: values[0])
        for step in 1...constraints {
            let next = step == constraints ? output : builder.allocate(.intermediate, value: values[step])
            builder.enforce(LinearCombination(current), LinearCombination(current),
                            LinearCombination(next) - LinearCombination(constant))
            current = next
        }
        let (r1cs, witness) = builder.build()
        return (r1cs, witness!)
    }

    /// Private 64-bit values, each decomposed into 64 constrained bits (b * (b - 1) = 0) and recomposed
    /// (65 constraints per value); the public output is their sum.
    public static func bits(constraints: Int, seed: UInt64 = 1) -> (r1cs: R1CS, witness: [Fr]) {
        let valueCount = max(1, (constraints - 1) / 65)
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        let raw = (0..<valueCount).map { _ in next() }
        var builder = ConstraintSystemBuilder()
        let total = raw.reduce(Fr.zero) { $0 + Fr($1) }
        let sum = builder.allocate(.publicOutput, value: total)
        var sumCombination = LinearCombination()
        for value in raw {
            let variable = builder.allocate(.privateInput, value: Fr(value))
            var recomposed = LinearCombination()
            var weight = Fr.one
            for bit in 0..<64 {
                let bitVariable = builder.allocate(.intermediate, value: Fr((value >> UInt64(bit)) & 1))
                builder.enforce(LinearCombination(bitVariable), LinearCombination(bitVariable) - .constant(.one), LinearCombination())
                recomposed = recomposed + LinearCombination(bitVariable, weight)
                weight = weight.doubled()
            }
            builder.enforce(recomposed, .constant(.one), LinearCombination(variable))
            sumCombination = sumCombination + LinearCombination(variable)
        }
        builder.enforce(sumCombination, .constant(.one), LinearCombination(sum))
        let (r1cs, witness) = builder.build()
        return (r1cs, witness!)
    }
}
