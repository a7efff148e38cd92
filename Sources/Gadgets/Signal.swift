import Algebra
import ConstraintSystem

/// A signed integer in the circuit: a linear combination of wires together with its witness value.
///
/// Every gadget computes values as it adds constraints, so one pass yields both the system and the
/// witness; the constraints never depend on the values, so the system is the same for every input.
public struct Signal: Sendable {
    public var combination: LinearCombination
    public var value: Int

    public init(_ combination: LinearCombination, value: Int) {
        self.combination = combination
        self.value = value
    }

    public init(_ variable: Variable, value: Int) {
        self.init(LinearCombination(variable), value: value)
    }

    public static func constant(_ value: Int) -> Signal {
        Signal(value == 0 ? LinearCombination() : .constant(Fr(signed: value)), value: value)
    }

    public static func + (lhs: Signal, rhs: Signal) -> Signal {
        Signal(lhs.combination + rhs.combination, value: lhs.value + rhs.value)
    }

    public static func - (lhs: Signal, rhs: Signal) -> Signal {
        Signal(lhs.combination - rhs.combination, value: lhs.value - rhs.value)
    }

    public static func + (lhs: Signal, rhs: Int) -> Signal { lhs + .constant(rhs) }
    public static func - (lhs: Signal, rhs: Int) -> Signal { lhs - .constant(rhs) }

    public static func * (lhs: Signal, rhs: Int) -> Signal {
        Signal(rhs == 0 ? LinearCombination() : lhs.combination * Fr(signed: rhs), value: lhs.value * rhs)
    }

    /// Σ signalᵢ as one linear combination, with no constraint.
    public static func sum(_ signals: [Signal]) -> Signal {
        weightedSum(signals, weights: Array(repeating: 1, count: signals.count))
    }

    /// Σ weightᵢ·signalᵢ + constant as one linear combination, with no constraint (constant weights are free).
    public static func weightedSum(_ signals: [Signal], weights: [Int], constant: Int = 0) -> Signal {
        precondition(signals.count == weights.count, "one weight per signal")
        var terms: [LinearCombination.Term] = []
        var value = constant
        for (signal, weight) in zip(signals, weights) where weight != 0 {
            let factor = Fr(signed: weight)
            for term in signal.combination.terms {
                terms.append(.init(wire: term.wire, coefficient: term.coefficient * factor))
            }
            value += signal.value * weight
        }
        if constant != 0 { terms.append(.init(wire: 0, coefficient: Fr(signed: constant))) }
        return Signal(LinearCombination(terms), value: value)
    }
}

extension Fr {
    /// The field element of a signed machine integer (negative values map to r - |value|).
    @inlinable
    public init(signed value: Int) {
        self = value >= 0 ? Fr(UInt64(value)) : -Fr(UInt64(value.magnitude))
    }
}

/// Why a gadget could not compute its witness: the value does not fit the range the circuit proves.
public struct GadgetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var gadget: String
    public var value: Int
    public var bits: Int
    public var signed: Bool

    public init(gadget: String, value: Int, bits: Int, signed: Bool) {
        self.gadget = gadget
        self.value = value
        self.bits = bits
        self.signed = signed
    }

    public var description: String {
        let range = signed ? "[-2^\(bits - 1), 2^\(bits - 1))" : "[0, 2^\(bits))"
        return "\(gadget): value \(value) is outside the proven range \(range)"
    }
}

/// Largest bit width a range check may use: below the field size, so Σ 2^i·bᵢ cannot wrap around r.
public let maximumRangeBits = 250
