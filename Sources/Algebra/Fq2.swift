import BigNum
import CFieldArithmetic

/// Fq2 = Fq[u] / (u^2 + 1), the field of G2 coordinates. An element is `c0 + c1 * u`.
@frozen
public struct Fq2: Sendable {
    public var c0: Fq
    public var c1: Fq

    @inlinable @inline(__always)
    public init(_ c0: Fq, _ c1: Fq) {
        self.c0 = c0
        self.c1 = c1
    }

    /// The cubic and quadratic non-residue xi = 9 + u that builds Fq6 and Fq12.
    @inlinable public static var nonResidue: Fq2 { Fq2(Fq(9), .one) }

    /// `self * (9 + u)` with additions only.
    @inlinable
    public func multipliedByNonResidue() -> Fq2 {
        let nine0 = c0.doubled().doubled().doubled() + c0
        let nine1 = c1.doubled().doubled().doubled() + c1
        return Fq2(nine0 - c1, nine1 + c0)
    }

    /// The Montgomery limbs as the C kernels' `zk_fq2`.
    @inlinable var kernelValue: zk_fq2 {
        zk_fq2(c0: zk_fe256(l: c0.montgomeryLimbs), c1: zk_fe256(l: c1.montgomeryLimbs))
    }

    @inlinable init(kernelValue r: zk_fq2) {
        self.init(Fq(montgomeryLimbs: r.c0.l.0, r.c0.l.1, r.c0.l.2, r.c0.l.3),
                  Fq(montgomeryLimbs: r.c1.l.0, r.c1.l.1, r.c1.l.2, r.c1.l.3))
    }

    /// The conjugate `c0 - c1 u`, which is also the p-power Frobenius.
    @inlinable public func conjugate() -> Fq2 { Fq2(c0, -c1) }

    /// `c0^2 + c1^2`, the norm down to Fq.
    @inlinable public var norm: Fq { c0.squared() + c1.squared() }
}

extension Fq2: Field {
    @inlinable public static var zero: Fq2 { Fq2(.zero, .zero) }
    @inlinable public static var one: Fq2 { Fq2(.one, .zero) }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero }

    @inlinable public static func + (lhs: Fq2, rhs: Fq2) -> Fq2 { Fq2(lhs.c0 + rhs.c0, lhs.c1 + rhs.c1) }
    @inlinable public static func - (lhs: Fq2, rhs: Fq2) -> Fq2 { Fq2(lhs.c0 - rhs.c0, lhs.c1 - rhs.c1) }
    @inlinable public static prefix func - (value: Fq2) -> Fq2 { Fq2(-value.c0, -value.c1) }

    /// Karatsuba with lazy reduction where the CPU has MULX/ADX (`bn254_fq2.h`: three 512-bit products,
    /// two Montgomery reductions), `karatsubaProduct` otherwise.
    @inlinable
    public static func * (lhs: Fq2, rhs: Fq2) -> Fq2 {
        #if arch(x86_64)
        if zk_use_adx() != 0 {
            return Fq2(kernelValue: zk_bn254_fq2_mul_adx(lhs.kernelValue, rhs.kernelValue))
        }
        #endif
        return karatsubaProduct(lhs, rhs)
    }

    /// Karatsuba over fully reduced base-field products: three products and three reductions.
    @inlinable
    public static func karatsubaProduct(_ lhs: Fq2, _ rhs: Fq2) -> Fq2 {
        let v0 = lhs.c0 * rhs.c0
        let v1 = lhs.c1 * rhs.c1
        let cross = (lhs.c0 + lhs.c1) * (rhs.c0 + rhs.c1)
        return Fq2(v0 - v1, cross - v0 - v1)
    }

    /// `(c0 + c1)(c0 - c1) + 2 c0 c1 u`: two base-field products (one kernel call where the CPU has MULX/ADX).
    @inlinable
    public func squared() -> Fq2 {
        #if arch(x86_64)
        if zk_use_adx() != 0 {
            return Fq2(kernelValue: zk_bn254_fq2_sqr_adx(kernelValue))
        }
        #endif
        return Fq2((c0 + c1) * (c0 - c1), (c0 * c1).doubled())
    }

    @inlinable public func doubled() -> Fq2 { Fq2(c0.doubled(), c1.doubled()) }

    public func inverse() -> Fq2? {
        guard let normInverse = norm.inverse() else { return nil }
        return Fq2(c0 * normInverse, -(c1 * normInverse))
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> Fq2 {
        Fq2(.random(using: &generator), .random(using: &generator))
    }

    public var description: String { "(\(c0), \(c1))" }
}

extension Fq2: ExtensionField {
    public typealias BaseField = Fq
    public static var degree: Int { 2 }

    @inlinable public func frobenius(_ power: Int) -> Fq2 { power & 1 == 1 ? conjugate() : self }

    @inlinable public static func * (lhs: Fq2, rhs: Fq) -> Fq2 { Fq2(lhs.c0 * rhs, lhs.c1 * rhs) }
}

extension Fq2 {
    /// A square root, or nil for a non-square ("complex method" for q = 3 mod 4).
    public func squareRoot() -> Fq2? {
        if isZero { return self }
        let p = Fq.modulus
        let a1 = power((p - 3) >> 2)
        let alpha = a1.squared() * self
        let a0 = alpha.frobenius(1) * alpha
        if a0 == -Fq2.one { return nil }
        let x0 = a1 * self
        let root: Fq2
        if alpha == -Fq2.one {
            root = Fq2(-x0.c1, x0.c0)
        } else {
            root = (alpha + .one).power((p - 1) >> 1) * x0
        }
        return root.squared() == self ? root : nil
    }
}
