import Algebra

/// What a wire is for; it decides the wire's place in circom's order.
public enum WireKind: Sendable, Hashable {
    case publicOutput, publicInput, privateInput, intermediate
}

/// A wire handle handed out by a builder. Its index is provisional until `build()` orders the wires.
public struct Variable: Sendable, Hashable {
    public let id: Int
    /// The constant-one wire.
    public static let one = Variable(id: 0)
}

extension LinearCombination {
    public init(_ variable: Variable, _ coefficient: Fr = .one) { self.init(wire: variable.id, coefficient: coefficient) }

    public init(_ terms: [(Variable, Fr)]) {
        self.init(terms.map { Term(wire: $0.0.id, coefficient: $0.1) })
    }
}

/// Records wires, constraints and (optionally) their values, then lays them out as an `R1CS`.
///
/// Wires may be allocated in any order; `build()` places them in circom's order (one, public outputs,
/// public inputs, private inputs, intermediates), keeping allocation order within each kind.
public struct ConstraintSystemBuilder: Sendable {
    private var kinds: [WireKind] = []
    private var values: [Fr?] = []
    private var constraints: [Constraint] = []

    public init() {}

    public var constraintCount: Int { constraints.count }
    public var wireCount: Int { kinds.count + 1 }

    public mutating func allocate(_ kind: WireKind, value: Fr? = nil) -> Variable {
        kinds.append(kind)
        values.append(value)
        return Variable(id: kinds.count)
    }

    public func value(of variable: Variable) -> Fr? {
        variable.id == 0 ? .one : values[variable.id - 1]
    }

    public mutating func setValue(_ value: Fr, of variable: Variable) {
        precondition(variable.id > 0, "the constant wire is fixed")
        values[variable.id - 1] = value
    }

    /// Adds the constraint a * b = c (over provisional wire ids).
    public mutating func enforce(_ a: LinearCombination, _ b: LinearCombination, _ c: LinearCombination) {
        constraints.append(Constraint(a: a, b: b, c: c))
    }

    /// The kind of each allocated wire, by provisional id (index 0 is the constant wire, reported as an input).
    public func kind(of variable: Variable) -> WireKind { variable.id == 0 ? .publicInput : kinds[variable.id - 1] }

    /// Where each provisional wire id lands in the built system's wire order (index 0 stays 0).
    public func wirePositions() -> [Int] {
        let order: [WireKind] = [.publicOutput, .publicInput, .privateInput, .intermediate]
        var position = [Int](repeating: 0, count: kinds.count + 1)
        var next = 1
        for kind in order {
            for (offset, wireKind) in kinds.enumerated() where wireKind == kind {
                position[offset + 1] = next
                next += 1
            }
        }
        return position
    }

    /// The constraint system and, when every wire has a value, its witness.
    public func build() -> (r1cs: R1CS, witness: [Fr]?) {
        let position = wirePositions()
        func remap(_ combination: LinearCombination) -> LinearCombination {
            LinearCombination(combination.terms.map { .init(wire: position[$0.wire], coefficient: $0.coefficient) })
        }
        let remapped = constraints.map { Constraint(a: remap($0.a), b: remap($0.b), c: remap($0.c)) }
        let count = { (kind: WireKind) in kinds.filter { $0 == kind }.count }
        let r1cs = R1CS(
            publicOutputCount: count(.publicOutput), publicInputCount: count(.publicInput),
            privateInputCount: count(.privateInput), wireCount: kinds.count + 1, constraints: remapped)
        var witness: [Fr]? = [Fr](repeating: .zero, count: kinds.count + 1)
        witness?[0] = .one
        for (offset, value) in values.enumerated() {
            guard let value else { witness = nil; break }
            witness?[position[offset + 1]] = value
        }
        return (r1cs, witness)
    }
}
