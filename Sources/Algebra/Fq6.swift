import BigNum

/// Fq6 = Fq2[v] / (v^3 - xi) with xi = 9 + u. An element is `c0 + c1 v + c2 v^2`.
@frozen
public struct Fq6: Sendable {
    public var c0: Fq2
    public var c1: Fq2
    public var c2: Fq2

    @inlinable @inline(__always)
    public init(_ c0: Fq2, _ c1: Fq2, _ c2: Fq2) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
    }

    /// `self * v`: coefficients shift up and the overflow wraps through xi.
    @inlinable
    public func multipliedByNonResidue() -> Fq6 { Fq6(c2.multipliedByNonResidue(), c0, c1) }

    /// `self * (b0 + b1 v)`, the sparse product the Miller loop needs.
    @inlinable
    public func multiplied(by01 b0: Fq2, _ b1: Fq2) -> Fq6 {
        let v0 = c0 * b0
        let v1 = c1 * b1
        let t0 = (c2 * b1).multipliedByNonResidue() + v0
        let t1 = (c0 + c1) * (b0 + b1) - v0 - v1
        let t2 = c2 * b0 + v1
        return Fq6(t0, t1, t2)
    }

    /// `self * b` for a scalar `b` in Fq2.
    @inlinable
    public func multiplied(byFq2 b: Fq2) -> Fq6 { Fq6(c0 * b, c1 * b, c2 * b) }
}

extension Fq6: Field {
    @inlinable public static var zero: Fq6 { Fq6(.zero, .zero, .zero) }
    @inlinable public static var one: Fq6 { Fq6(.one, .zero, .zero) }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    @inlinable public static func + (lhs: Fq6, rhs: Fq6) -> Fq6 { Fq6(lhs.c0 + rhs.c0, lhs.c1 + rhs.c1, lhs.c2 + rhs.c2) }
    @inlinable public static func - (lhs: Fq6, rhs: Fq6) -> Fq6 { Fq6(lhs.c0 - rhs.c0, lhs.c1 - rhs.c1, lhs.c2 - rhs.c2) }
    @inlinable public static prefix func - (value: Fq6) -> Fq6 { Fq6(-value.c0, -value.c1, -value.c2) }

    /// Karatsuba-style product with six Fq2 multiplications.
    @inlinable
    public static func * (a: Fq6, b: Fq6) -> Fq6 {
        let v0 = a.c0 * b.c0
        let v1 = a.c1 * b.c1
        let v2 = a.c2 * b.c2
        let t0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - v1 - v2).multipliedByNonResidue() + v0
        let t1 = (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1 + v2.multipliedByNonResidue()
        let t2 = (a.c0 + a.c2) * (b.c0 + b.c2) - v0 - v2 + v1
        return Fq6(t0, t1, t2)
    }

    /// Chung-Hasan squaring (SQR2).
    @inlinable
    public func squared() -> Fq6 {
        let s0 = c0.squared()
        let s1 = (c0 * c1).doubled()
        let s2 = (c0 - c1 + c2).squared()
        let s3 = (c1 * c2).doubled()
        let s4 = c2.squared()
        return Fq6(s3.multipliedByNonResidue() + s0, s4.multipliedByNonResidue() + s1, s1 + s2 + s3 - s0 - s4)
    }

    @inlinable public func doubled() -> Fq6 { Fq6(c0.doubled(), c1.doubled(), c2.doubled()) }

    public func inverse() -> Fq6? {
        let t0 = c0.squared() - (c1 * c2).multipliedByNonResidue()
        let t1 = c2.squared().multipliedByNonResidue() - c0 * c1
        let t2 = c1.squared() - c0 * c2
        let denominator = c0 * t0 + ((c2 * t1) + (c1 * t2)).multipliedByNonResidue()
        guard let scale = denominator.inverse() else { return nil }
        return Fq6(t0 * scale, t1 * scale, t2 * scale)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> Fq6 {
        Fq6(.random(using: &generator), .random(using: &generator), .random(using: &generator))
    }

    public var description: String { "(\(c0), \(c1), \(c2))" }
}

extension Fq6: ExtensionField {
    public typealias BaseField = Fq2
    public static var degree: Int { 3 }

    /// `(c0 + c1 v + c2 v^2)^(p^k)`; v^(p^k) = v * xi^((p^k - 1)/3).
    public func frobenius(_ power: Int) -> Fq6 {
        let k = power % 6
        return Fq6(
            c0.frobenius(k),
            c1.frobenius(k) * TowerConstants.shared.fq6FrobeniusC1[k],
            c2.frobenius(k) * TowerConstants.shared.fq6FrobeniusC2[k]
        )
    }

    @inlinable public static func * (lhs: Fq6, rhs: Fq2) -> Fq6 { lhs.multiplied(byFq2: rhs) }
}

/// Frobenius coefficients of the tower, derived once from xi by exponentiation.
public struct TowerConstants: Sendable {
    /// xi^((p^k - 1)/3) for k = 0..<6.
    public let fq6FrobeniusC1: [Fq2]
    /// xi^(2(p^k - 1)/3) for k = 0..<6.
    public let fq6FrobeniusC2: [Fq2]
    /// xi^((p^k - 1)/6) for k = 0..<12.
    public let fq12FrobeniusC1: [Fq2]

    public static let shared = TowerConstants()

    init() {
        let p = Fq.modulus
        let xi = Fq2.nonResidue
        fq6FrobeniusC1 = (0..<6).map { k in xi.power((p.power(k) - 1) / 3) }
        fq6FrobeniusC2 = (0..<6).map { k in xi.power(((p.power(k) - 1) / 3) * 2) }
        fq12FrobeniusC1 = (0..<12).map { k in xi.power((p.power(k) - 1) / 6) }
    }
}
