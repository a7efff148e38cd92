import BigNum

/// Fq12 = Fq6[w] / (w^2 - v), the pairing target field. An element is `c0 + c1 w`.
@frozen
public struct Fq12: Sendable {
    public var c0: Fq6
    public var c1: Fq6

    @inlinable @inline(__always)
    public init(_ c0: Fq6, _ c1: Fq6) {
        self.c0 = c0
        self.c1 = c1
    }

    /// `c0 - c1 w`: the p^6-power Frobenius, and the inverse on the cyclotomic subgroup.
    @inlinable public func conjugate() -> Fq12 { Fq12(c0, -c1) }

    /// `self * (d0 + (d3 + d4 v) w)`, the sparse product with a line evaluation (D-type twist).
    @inlinable
    public func multiplied(by034 d0: Fq2, _ d3: Fq2, _ d4: Fq2) -> Fq12 {
        let a = c0.multiplied(byFq2: d0)
        let b = c1.multiplied(by01: d3, d4)
        let cross = (c0 + c1).multiplied(by01: d0 + d3, d4)
        return Fq12(b.multipliedByNonResidue() + a, cross - a - b)
    }

    /// Squaring for elements of the cyclotomic subgroup (norm one over Fq6), after Granger and Scott.
    ///
    /// Seen as A + B w + C w^2 over Fq4 = Fq2[y]/(y^2 - xi) with w^3 = y, where
    /// A = (c0.c0, c1.c1), B = (c1.c0, c0.c2), C = (c0.c1, c1.c2), the square is
    /// A' = 3A^2 - 2 conj(A), B' = 3 y C^2 + 2 conj(B), C' = 3 B^2 - 2 conj(C).
    @inlinable
    public func cyclotomicSquared() -> Fq12 {
        @inline(__always)
        func fq4Square(_ a: Fq2, _ b: Fq2) -> (Fq2, Fq2) {
            // (a + b y)^2 = (a^2 + xi b^2) + ((a + b)^2 - a^2 - b^2) y: three Fq2 squares, which cost
            // less than two Fq2 products.
            let aa = a.squared()
            let bb = b.squared()
            return (bb.multipliedByNonResidue() + aa, (a + b).squared() - aa - bb)
        }
        let (a0, a1) = fq4Square(c0.c0, c1.c1)
        let (b0, b1) = fq4Square(c1.c0, c0.c2)
        let (e0, e1) = fq4Square(c0.c1, c1.c2)

        let newA0 = (a0 - c0.c0).doubled() + a0
        let newA1 = (a1 + c1.c1).doubled() + a1
        let yC = e1.multipliedByNonResidue()
        let newB0 = (yC + c1.c0).doubled() + yC
        let newB1 = (e0 - c0.c2).doubled() + e0
        let newC0 = (b0 - c0.c1).doubled() + b0
        let newC1 = (b1 + c1.c2).doubled() + b1
        return Fq12(Fq6(newA0, newC0, newB1), Fq6(newB0, newA1, newC1))
    }

    /// `self^exponent` for a cyclotomic element and a non-negative 64-bit exponent.
    ///
    /// Uses the exponent's non-adjacent form: on the cyclotomic subgroup the inverse is the conjugate,
    /// so a digit -1 costs one product like a digit 1, and the NAF has fewer non-zero digits (BN254's
    /// x: 24 instead of 28).
    @inlinable
    public func cyclotomicPower(_ exponent: UInt64) -> Fq12 {
        var digits: [Int8] = []  // least significant first
        var rest = UInt128(exponent)
        while rest != 0 {
            if rest & 1 == 0 {
                digits.append(0)
            } else if rest & 3 == 1 {
                digits.append(1)
                rest -= 1
            } else {
                digits.append(-1)
                rest += 1
            }
            rest >>= 1
        }
        let inverse = conjugate()
        var result = Fq12.one
        var started = false
        for digit in digits.reversed() {
            if started { result = result.cyclotomicSquared() }
            if digit != 0 {
                let factor = digit > 0 ? self : inverse
                result = started ? result * factor : factor
                started = true
            }
        }
        return result
    }
}

extension Fq12: Field {
    @inlinable public static var zero: Fq12 { Fq12(.zero, .zero) }
    @inlinable public static var one: Fq12 { Fq12(.one, .zero) }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero }
    @inlinable public var isOne: Bool { self == .one }

    @inlinable public static func + (lhs: Fq12, rhs: Fq12) -> Fq12 { Fq12(lhs.c0 + rhs.c0, lhs.c1 + rhs.c1) }
    @inlinable public static func - (lhs: Fq12, rhs: Fq12) -> Fq12 { Fq12(lhs.c0 - rhs.c0, lhs.c1 - rhs.c1) }
    @inlinable public static prefix func - (value: Fq12) -> Fq12 { Fq12(-value.c0, -value.c1) }

    @inlinable
    public static func * (a: Fq12, b: Fq12) -> Fq12 {
        let v0 = a.c0 * b.c0
        let v1 = a.c1 * b.c1
        return Fq12(v1.multipliedByNonResidue() + v0, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1)
    }

    /// Karatsuba squaring with three Fq6 squares, which cost less than the two Fq6 products of complex
    /// squaring: (a + b w)^2 = (a^2 + v b^2) + ((a + b)^2 - a^2 - b^2) w.
    @inlinable
    public func squared() -> Fq12 {
        let aa = c0.squared()
        let bb = c1.squared()
        return Fq12(bb.multipliedByNonResidue() + aa, (c0 + c1).squared() - aa - bb)
    }

    @inlinable public func doubled() -> Fq12 { Fq12(c0.doubled(), c1.doubled()) }

    public func inverse() -> Fq12? {
        let denominator = c0.squared() - c1.squared().multipliedByNonResidue()
        guard let scale = denominator.inverse() else { return nil }
        return Fq12(c0 * scale, -(c1 * scale))
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> Fq12 {
        Fq12(.random(using: &generator), .random(using: &generator))
    }

    public var description: String { "(\(c0), \(c1))" }
}

extension Fq12: ExtensionField {
    public typealias BaseField = Fq6
    public static var degree: Int { 2 }

    /// `(c0 + c1 w)^(p^k)`; w^(p^k) = w * xi^((p^k - 1)/6).
    public func frobenius(_ power: Int) -> Fq12 {
        let k = power % 12
        return Fq12(c0.frobenius(k), c1.frobenius(k).multiplied(byFq2: TowerConstants.shared.fq12FrobeniusC1[k]))
    }

    @inlinable public static func * (lhs: Fq12, rhs: Fq6) -> Fq12 { Fq12(lhs.c0 * rhs, lhs.c1 * rhs) }
}
