import Algebra
import BigNum
import ConstraintSystem
import Synchronization

/// Poseidon over BN254's scalar field with circomlib's parameters: x^5 S-box, 8 full rounds, circomlib's
/// partial-round counts, and round constants and MDS matrices drawn from the Grain LFSR of the Poseidon
/// reference (`generate_parameters_grain.sage`: field 1, S-box 0, 254 bits), derived here at first use.
/// `hash` of n inputs runs the width-(n + 1) permutation on [0, inputs...] and returns state[0].
public struct Poseidon: Sendable {
    public static let fullRounds = 8
    /// Partial rounds for widths 2 through 17 (circomlib's N_ROUNDS_P).
    public static let partialRounds = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]
    public static let maximumInputs = 16

    public let width: Int
    public let roundConstants: [Fr]
    public let mds: [[Fr]]

    public var partialRoundCount: Int { Self.partialRounds[width - 2] }

    /// The parameters for `inputs` inputs (width inputs + 1), cached after first use.
    public static func parameters(inputs: Int) -> Poseidon {
        precondition((1...maximumInputs).contains(inputs), "Poseidon takes 1 to \(maximumInputs) inputs")
        return cache.withLock { table in
            if let found = table[inputs] { return found }
            let made = Poseidon(width: inputs + 1)
            table[inputs] = made
            return made
        }
    }

    private static let cache = Mutex<[Int: Poseidon]>([:])

    private init(width: Int) {
        self.width = width
        let rounds = Self.fullRounds + Self.partialRounds[width - 2]
        var grain = GrainLFSR(fieldSize: 254, width: width, fullRounds: Self.fullRounds, partialRounds: rounds - Self.fullRounds)
        let modulus = Fr.modulus
        var constants: [Fr] = []
        for _ in 0..<(rounds * width) {
            var candidate = grain.integer(bits: 254)
            while candidate >= modulus { candidate = grain.integer(bits: 254) }
            constants.append(Fr(canonical: candidate)!)
        }
        roundConstants = constants
        // Cauchy matrix 1 / (x_i + y_j) from 2·width distinct elements (reduced mod r, as the reference does).
        while true {
            var elements = (0..<(2 * width)).map { _ in Fr(canonical: grain.integer(bits: 254).modulo(modulus))! }
            while Set(elements).count != elements.count {
                elements = (0..<(2 * width)).map { _ in Fr(canonical: grain.integer(bits: 254).modulo(modulus))! }
            }
            let xs = elements[..<width], ys = elements[width...]
            var matrix: [[Fr]] = []
            var usable = true
            for x in xs {
                var row: [Fr] = []
                for y in ys {
                    guard let inverse = (x + y).inverse() else { usable = false; break }
                    row.append(inverse)
                }
                guard usable else { break }
                matrix.append(row)
            }
            if usable {
                mds = matrix
                return
            }
        }
    }

    /// The permutation applied to `state` (of `width` elements).
    public func permute(_ state: [Fr]) -> [Fr] {
        precondition(state.count == width)
        var state = state
        let half = Self.fullRounds / 2
        for round in 0..<(Self.fullRounds + partialRoundCount) {
            for i in 0..<width { state[i] += roundConstants[round * width + i] }
            let full = round < half || round >= half + partialRoundCount
            for i in 0..<(full ? width : 1) {
                let square = state[i].squared()
                state[i] = square.squared() * state[i]
            }
            state = mds.map { row in zip(row, state).reduce(Fr.zero) { $0 + $1.0 * $1.1 } }
        }
        return state
    }

    /// circomlib's Poseidon(n) of 1 to 16 inputs.
    public static func hash(_ inputs: [Fr]) -> Fr {
        parameters(inputs: inputs.count).permute([.zero] + inputs)[0]
    }
}

/// The Grain LFSR in self-shrinking mode, seeded as the Poseidon reference seeds it.
struct GrainLFSR {
    private var bits: [UInt8]
    private var position = 0

    init(fieldSize: Int, width: Int, fullRounds: Int, partialRounds: Int) {
        func binary(_ value: Int, _ count: Int) -> [UInt8] { (0..<count).reversed().map { UInt8((value >> $0) & 1) } }
        bits = binary(1, 2) + binary(0, 4) + binary(fieldSize, 12) + binary(width, 12) + binary(fullRounds, 10)
            + binary(partialRounds, 10) + Array(repeating: 1, count: 30)
        bits.reserveCapacity(1 << 16)
        for _ in 0..<160 { _ = step() }
    }

    private mutating func step() -> UInt8 {
        let p = position
        let bit = bits[p + 62] ^ bits[p + 51] ^ bits[p + 38] ^ bits[p + 23] ^ bits[p + 13] ^ bits[p]
        bits.append(bit)
        position += 1
        if position > 1 << 15 {
            bits.removeFirst(position)
            position = 0
        }
        return bit
    }

    /// The next output bit: pairs (a, b) are drawn until a = 1, and b is returned.
    mutating func nextBit() -> UInt8 {
        while true {
            let first = step()
            let second = step()
            if first == 1 { return second }
        }
    }

    /// `bits` output bits read as a big-endian integer.
    mutating func integer(bits count: Int) -> BigInt {
        var value = BigInt(0)
        for _ in 0..<count { value = value * BigInt(2) + BigInt(Int(nextBit())) }
        return value
    }
}

/// A field element in the circuit: a linear combination of wires and its witness value.
public struct FieldSignal: Sendable {
    public var combination: LinearCombination
    public var value: Fr

    public init(_ combination: LinearCombination, value: Fr) {
        self.combination = combination
        self.value = value
    }

    public init(_ signal: Signal) { self.init(signal.combination, value: Fr(signed: signal.value)) }
}

extension ConstraintSystemBuilder {
    /// Poseidon(inputs) in the circuit: three constraints per S-box (x², x⁴, x⁵), the round constants and MDS
    /// mixing folded into linear combinations. Costs 3·(8·width + partial rounds) constraints.
    public mutating func poseidonHash(_ inputs: [FieldSignal]) -> FieldSignal {
        let parameters = Poseidon.parameters(inputs: inputs.count)
        let width = parameters.width
        var state = [FieldSignal(LinearCombination(), value: .zero)] + inputs
        let half = Poseidon.fullRounds / 2
        for round in 0..<(Poseidon.fullRounds + parameters.partialRoundCount) {
            for i in 0..<width {
                let constant = parameters.roundConstants[round * width + i]
                state[i] = FieldSignal(state[i].combination + .constant(constant), value: state[i].value + constant)
            }
            let full = round < half || round >= half + parameters.partialRoundCount
            for i in 0..<(full ? width : 1) { state[i] = fifthPower(state[i]) }
            state = parameters.mds.map { row in
                var terms: [LinearCombination.Term] = []
                var value = Fr.zero
                for (coefficient, element) in zip(row, state) {
                    for term in element.combination.terms {
                        terms.append(.init(wire: term.wire, coefficient: term.coefficient * coefficient))
                    }
                    value += coefficient * element.value
                }
                return FieldSignal(LinearCombination(terms), value: value)
            }
        }
        let output = allocate(.intermediate, value: state[0].value)
        enforce(state[0].combination, .constant(.one), LinearCombination(output))
        return FieldSignal(LinearCombination(output), value: state[0].value)
    }

    private mutating func fifthPower(_ x: FieldSignal) -> FieldSignal {
        let squareValue = x.value.squared()
        let square = allocate(.intermediate, value: squareValue)
        enforce(x.combination, x.combination, LinearCombination(square))
        let fourth = allocate(.intermediate, value: squareValue.squared())
        enforce(LinearCombination(square), LinearCombination(square), LinearCombination(fourth))
        let fifthValue = squareValue.squared() * x.value
        let fifth = allocate(.intermediate, value: fifthValue)
        enforce(LinearCombination(fourth), x.combination, LinearCombination(fifth))
        return FieldSignal(LinearCombination(fifth), value: fifthValue)
    }
}
