import ModelIR

/// The element types polynomial ops are written over: reals (float semantics), integers (shape arithmetic during
/// folding) and `Expression` (the quantizer's symbolic form). One generic definition serves all three.
public protocol Arithmetic: Sendable {
    static var zero: Self { get }
    init(constant: Double)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func += (lhs: inout Self, rhs: Self)
    /// The quotient; for expressions only a constant divisor is polynomial.
    func divided(by other: Self) -> Self
    func scaled(by factor: Double) -> Self
    /// The value when it is known at compile time.
    var constantValue: Double? { get }
}

extension Arithmetic {
    public static prefix func - (value: Self) -> Self { value.scaled(by: -1) }
}

extension Double: Arithmetic {
    public init(constant: Double) { self = constant }
    public func divided(by other: Double) -> Double { self / other }
    public func scaled(by factor: Double) -> Double { self * factor }
    public var constantValue: Double? { self }
}

extension Int: Arithmetic {
    /// Truncating division, as ONNX integer Div; a zero divisor gives zero rather than trapping.
    public func divided(by other: Int) -> Int { other == 0 ? 0 : self / other }
    public func scaled(by factor: Double) -> Int { Int(constant: Double(self) * factor) }
    public var constantValue: Double? { Double(self) }
}

/// A polynomial of degree at most two over the elements of materialized tensors: c + Σ a·x + Σ b·x·y.
///
/// The quantizer evaluates layout, linear and product ops over expressions to learn, for every output element, which
/// inputs it combines and with which real coefficients; it then chooses integer coefficients and one rescale.
public struct Expression: Arithmetic, Equatable {
    /// An element of a materialized tensor: tensor id << 32 | flat element index.
    public typealias Symbol = Int

    public struct Term: Sendable, Hashable {
        public var coefficient: Double
        public var left: Symbol
        /// −1 for a linear term.
        public var right: Symbol
    }

    public enum Problem: Sendable, Hashable {
        /// A product of more than two activations.
        case degree
        /// A division by an activation (Div itself proves that with its own step; this is any other polynomial's).
        case division

        var message: String {
            switch self {
            case .degree: "a product of more than two activations in one node needs an intermediate rescale, which is not supported here"
            case .division: "a division by an activation inside this op is not supported (Div by an activation is)"
            }
        }
    }

    public var constant: Double
    public var terms: [Term]
    public var problem: Problem?

    public init(constant: Double) {
        self.constant = constant
        terms = []
    }

    public init(symbol: Symbol, coefficient: Double = 1) {
        constant = 0
        terms = [Term(coefficient: coefficient, left: symbol, right: -1)]
    }

    public static func symbol(tensor: Int, element: Int) -> Symbol { tensor << 32 | element }
    public static func tensor(of symbol: Symbol) -> Int { symbol >> 32 }
    public static func element(of symbol: Symbol) -> Int { symbol & 0xFFFF_FFFF }

    public static var zero: Expression { Expression(constant: 0) }
    public var constantValue: Double? { terms.isEmpty && problem == nil ? constant : nil }
    public var isQuadratic: Bool { terms.contains { $0.right >= 0 } }

    public static func += (lhs: inout Expression, rhs: Expression) {
        lhs.constant += rhs.constant
        lhs.terms.append(contentsOf: rhs.terms)
        lhs.problem = lhs.problem ?? rhs.problem
    }

    public static func + (lhs: Expression, rhs: Expression) -> Expression {
        var result = lhs
        result += rhs
        return result
    }

    public static func - (lhs: Expression, rhs: Expression) -> Expression { lhs + rhs.scaled(by: -1) }

    public func scaled(by factor: Double) -> Expression {
        var result = self
        result.constant *= factor
        for index in result.terms.indices { result.terms[index].coefficient *= factor }
        if factor == 0 { result.terms.removeAll() }
        return result
    }

    public static func * (lhs: Expression, rhs: Expression) -> Expression {
        if let value = lhs.constantValue { return rhs.scaled(by: value) }
        if let value = rhs.constantValue { return lhs.scaled(by: value) }
        var result = Expression(constant: lhs.constant * rhs.constant)
        result.problem = lhs.problem ?? rhs.problem
        guard !lhs.isQuadratic && !rhs.isQuadratic else {
            result.problem = .degree
            return result
        }
        result.terms.reserveCapacity(lhs.terms.count * rhs.terms.count + lhs.terms.count + rhs.terms.count)
        if rhs.constant != 0 { result.terms += lhs.terms.map { Term(coefficient: $0.coefficient * rhs.constant, left: $0.left, right: -1) } }
        if lhs.constant != 0 { result.terms += rhs.terms.map { Term(coefficient: $0.coefficient * lhs.constant, left: $0.left, right: -1) } }
        for a in lhs.terms {
            for b in rhs.terms {
                result.terms.append(Term(coefficient: a.coefficient * b.coefficient, left: min(a.left, b.left), right: max(a.left, b.left)))
            }
        }
        return result
    }

    public func divided(by other: Expression) -> Expression {
        if let value = other.constantValue { return scaled(by: 1 / value) }
        var result = self
        result.problem = .division
        return result
    }
}
