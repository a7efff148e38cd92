import Algebra

/// A sparse linear combination of wires: sum of coefficient * wire value. Wire 0 is the constant 1.
public struct LinearCombination: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public var wire: Int
        public var coefficient: Fr

        public init(wire: Int, coefficient: Fr) {
            self.wire = wire
            self.coefficient = coefficient
        }
    }

    /// Terms sorted by wire, with no repeated wire and no zero coefficient.
    public private(set) var terms: [Term]

    public init() { terms = [] }

    /// Merges repeated wires and drops zero coefficients.
    public init(_ terms: [Term]) {
        if terms.count <= 1 {
            self.terms = terms.filter { !$0.coefficient.isZero }
            return
        }
        if zip(terms, terms.dropFirst()).allSatisfy({ $0.wire < $1.wire }) {
            self.terms = terms.filter { !$0.coefficient.isZero }
            return
        }
        var merged: [Int: Fr] = [:]
        for term in terms { merged[term.wire, default: .zero] += term.coefficient }
        self.terms = merged.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
            .map { Term(wire: $0.key, coefficient: $0.value) }
    }

    public init(wire: Int, coefficient: Fr = .one) { self.init([Term(wire: wire, coefficient: coefficient)]) }

    public static func constant(_ value: Fr) -> LinearCombination { LinearCombination(wire: 0, coefficient: value) }

    public var isZero: Bool { terms.isEmpty }

    /// The value under a full assignment (index 0 must be one).
    @inlinable
    public func evaluate(_ assignment: [Fr]) -> Fr {
        var sum = Fr.zero
        for term in terms { sum += term.coefficient * assignment[term.wire] }
        return sum
    }

    public static func + (lhs: LinearCombination, rhs: LinearCombination) -> LinearCombination {
        LinearCombination(lhs.terms + rhs.terms)
    }

    public static func - (lhs: LinearCombination, rhs: LinearCombination) -> LinearCombination {
        lhs + rhs * (-Fr.one)
    }

    public static func * (lhs: LinearCombination, scalar: Fr) -> LinearCombination {
        LinearCombination(lhs.terms.map { Term(wire: $0.wire, coefficient: $0.coefficient * scalar) })
    }
}

/// One rank-1 constraint: <a, w> * <b, w> = <c, w>.
public struct Constraint: Sendable, Hashable {
    public var a: LinearCombination
    public var b: LinearCombination
    public var c: LinearCombination

    public init(a: LinearCombination, b: LinearCombination, c: LinearCombination) {
        self.a = a
        self.b = b
        self.c = c
    }
}

/// A rank-1 constraint system in circom's wire order: 0 is the constant one, then public outputs,
/// public inputs, private inputs, and the remaining private (intermediate) wires.
public struct R1CS: Sendable, Hashable {
    public var publicOutputCount: Int
    public var publicInputCount: Int
    public var privateInputCount: Int
    public var wireCount: Int
    public var constraints: [Constraint]
    /// Optional label id per wire (circom's section 3); defaults to the wire index.
    public var labels: [UInt64]

    public init(
        publicOutputCount: Int, publicInputCount: Int, privateInputCount: Int, wireCount: Int,
        constraints: [Constraint], labels: [UInt64]? = nil
    ) {
        precondition(wireCount >= 1 + publicOutputCount + publicInputCount + privateInputCount, "too few wires")
        self.publicOutputCount = publicOutputCount
        self.publicInputCount = publicInputCount
        self.privateInputCount = privateInputCount
        self.wireCount = wireCount
        self.constraints = constraints
        self.labels = labels ?? (0..<wireCount).map { UInt64($0) }
    }

    /// Public signals: outputs then inputs (the constant-one wire is not counted).
    public var publicCount: Int { publicOutputCount + publicInputCount }

    /// Why a witness does not satisfy the system.
    public enum WitnessError: Error, Equatable, CustomStringConvertible {
        case wrongLength(expected: Int, actual: Int)
        case firstWireNotOne
        case unsatisfied(constraint: Int, a: Fr, b: Fr, c: Fr)

        public var description: String {
            switch self {
            case let .wrongLength(expected, actual):
                return "witness has \(actual) values, the circuit has \(expected) wires"
            case .firstWireNotOne:
                return "witness value 0 must be 1 (the constant wire)"
            case let .unsatisfied(index, a, b, c):
                return "constraint \(index) is not satisfied: A = \(a), B = \(b), A*B = \(a * b), C = \(c)"
            }
        }
    }

    /// Throws, naming the first failing constraint and its values, unless `witness` satisfies every constraint.
    public func checkSatisfied(by witness: [Fr]) throws(WitnessError) {
        guard witness.count == wireCount else { throw .wrongLength(expected: wireCount, actual: witness.count) }
        guard witness[0] == .one else { throw .firstWireNotOne }
        for (index, constraint) in constraints.enumerated() {
            let a = constraint.a.evaluate(witness)
            let b = constraint.b.evaluate(witness)
            let c = constraint.c.evaluate(witness)
            if a * b != c { throw .unsatisfied(constraint: index, a: a, b: b, c: c) }
        }
    }

    public func isSatisfied(by witness: [Fr]) -> Bool {
        (try? checkSatisfied(by: witness)) != nil
    }
}
