import BigNum
import CFieldArithmetic

/// Four little-endian 64-bit limbs.
public typealias Limbs4 = (UInt64, UInt64, UInt64, UInt64)

/// Constants of a prime field below 2^255 held in Montgomery form with R = 2^256.
///
/// The modulus's top limb must be below 2^63 so that multiplication can use the
/// "no-carry" CIOS variant, which skips the carry out of the top word.
public protocol MontgomeryParameters: Sendable {
    static var modulusLimbs: Limbs4 { get }
    /// `-modulus^-1 mod 2^64`.
    static var negatedInverse: UInt64 { get }
    /// `R mod modulus`, the Montgomery form of one.
    static var rModulus: Limbs4 { get }
    /// `R^2 mod modulus`, which maps a canonical value into Montgomery form.
    static var rSquared: Limbs4 { get }
    /// Mask for the top limb when sampling: all bits up to the modulus's top bit.
    static var topLimbMask: UInt64 { get }
    static var modulus: BigInt { get }
    /// Exponents for Legendre symbols and Tonelli-Shanks, derived once from the modulus.
    static var exponents: PrimeFieldExponents { get }
    /// The Montgomery product; a field may replace the portable CIOS with a faster kernel.
    static func product(_ a: MontgomeryField<Self>, _ b: MontgomeryField<Self>) -> MontgomeryField<Self>
    static func square(_ a: MontgomeryField<Self>) -> MontgomeryField<Self>
}

extension MontgomeryParameters {
    @inlinable @inline(__always)
    public static func product(_ a: MontgomeryField<Self>, _ b: MontgomeryField<Self>) -> MontgomeryField<Self> {
        MontgomeryField.montgomeryProduct(a, b)
    }

    @inlinable @inline(__always)
    public static func square(_ a: MontgomeryField<Self>) -> MontgomeryField<Self> {
        MontgomeryField.montgomeryProduct(a, a)
    }
}

/// Exponents derived from a prime modulus q, computed once per field.
public struct PrimeFieldExponents: Sendable {
    /// (q - 1) / 2, for the Legendre symbol.
    public let legendre: [UInt64]
    /// q - 2, for inversion by Fermat's little theorem.
    public let fermatInverse: [UInt64]
    /// s with q - 1 = 2^s * t, t odd.
    public let twoAdicity: Int
    /// t and (t + 1) / 2.
    public let oddPart: [UInt64]
    public let oddPartPlusOneHalf: [UInt64]
    /// The smallest quadratic non-residue.
    public let smallestNonResidue: UInt64

    public init(modulus q: BigInt) {
        let qMinusOne = q - 1
        var s = 0
        while !qMinusOne.bit(s) { s += 1 }
        let t = qMinusOne >> s
        func limbs(_ value: BigInt) -> [UInt64] { value.limbs(count: (value.bitWidth + 63) / 64)! }
        legendre = limbs(qMinusOne >> 1)
        fermatInverse = limbs(q - 2)
        twoAdicity = s
        oddPart = limbs(t)
        oddPartPlusOneHalf = limbs((t + 1) >> 1)
        var candidate: UInt64 = 2
        while BigInt(candidate).jacobi(q) != -1 { candidate += 1 }
        smallestNonResidue = candidate
    }
}

/// Parameters of a prime field with a two-adic subgroup.
public protocol FFTParameters: MontgomeryParameters {
    static var twoAdicity: Int { get }
    static var multiplicativeGenerator: UInt64 { get }
}

@inlinable @inline(__always)
func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (high: UInt64, low: UInt64) {
    let wide = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: wide &>> 64), UInt64(truncatingIfNeeded: wide))
}

@inlinable @inline(__always)
func subtractWithBorrow(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (difference: UInt64, borrow: UInt64) {
    let wide = UInt128(a) &- UInt128(b) &- UInt128(borrow)
    return (UInt64(truncatingIfNeeded: wide), UInt64(truncatingIfNeeded: wide &>> 64) & 1)
}

/// An element of a prime field in Montgomery form over four fixed limbs.
///
/// The stored limbs are always fully reduced (below the modulus), so equality and hashing
/// compare limbs directly.
@frozen
public struct MontgomeryField<P: MontgomeryParameters>: Sendable {
    public var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    /// Wraps limbs that are already a reduced Montgomery representation.
    @inlinable @inline(__always)
    public init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        (self.l0, self.l1, self.l2, self.l3) = (l0, l1, l2, l3)
    }

    @inlinable @inline(__always)
    init(_ limbs: Limbs4) {
        (l0, l1, l2, l3) = limbs
    }

    @inlinable public var montgomeryLimbs: Limbs4 { (l0, l1, l2, l3) }

    /// Subtracts the modulus once if the value is not below it.
    @inlinable @inline(__always)
    static func reduceOnce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64) -> Self {
        let q = P.modulusLimbs
        let (s0, b0) = subtractWithBorrow(t0, q.0, 0)
        let (s1, b1) = subtractWithBorrow(t1, q.1, b0)
        let (s2, b2) = subtractWithBorrow(t2, q.2, b1)
        let (s3, b3) = subtractWithBorrow(t3, q.3, b2)
        // Branch-free select (keep t where the subtraction borrowed): the outcome is data-dependent,
        // so a branch here mispredicts about half the time inside the tower and curve arithmetic.
        let keep = 0 &- b3
        return Self(montgomeryLimbs: (t0 & keep) | (s0 & ~keep), (t1 & keep) | (s1 & ~keep),
                    (t2 & keep) | (s2 & ~keep), (t3 & keep) | (s3 & ~keep))
    }

    /// One outer round of no-carry CIOS: t = (t + a * word + m * q) / 2^64.
    @inlinable @inline(__always)
    static func ciosRound(_ a: Self, _ word: UInt64, _ t: inout Limbs4) {
        let q = P.modulusLimbs
        var (carry, t0) = multiplyAdd(a.l0, word, t.0, 0)
        let m = t0 &* P.negatedInverse
        var (reduceCarry, _) = multiplyAdd(m, q.0, t0, 0)
        var t1: UInt64, t2: UInt64, t3: UInt64
        (carry, t1) = multiplyAdd(a.l1, word, t.1, carry)
        (reduceCarry, t0) = multiplyAdd(m, q.1, t1, reduceCarry)
        (carry, t2) = multiplyAdd(a.l2, word, t.2, carry)
        (reduceCarry, t1) = multiplyAdd(m, q.2, t2, reduceCarry)
        (carry, t3) = multiplyAdd(a.l3, word, t.3, carry)
        (reduceCarry, t2) = multiplyAdd(m, q.3, t3, reduceCarry)
        t = (t0, t1, t2, carry &+ reduceCarry)
    }

    /// Montgomery product `a * b / R mod q`.
    @inlinable @inline(__always)
    public static func montgomeryProduct(_ a: Self, _ b: Self) -> Self {
        var t: Limbs4 = (0, 0, 0, 0)
        ciosRound(a, b.l0, &t)
        ciosRound(a, b.l1, &t)
        ciosRound(a, b.l2, &t)
        ciosRound(a, b.l3, &t)
        return reduceOnce(t.0, t.1, t.2, t.3)
    }
}

extension MontgomeryField: Field {
    @inlinable public static var zero: Self { Self(montgomeryLimbs: 0, 0, 0, 0) }
    @inlinable public static var one: Self { Self(P.rModulus) }

    @inlinable public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }
    @inlinable public var isOne: Bool { self == .one }

    @inlinable
    public static func == (lhs: Self, rhs: Self) -> Bool {
        ((lhs.l0 ^ rhs.l0) | (lhs.l1 ^ rhs.l1) | (lhs.l2 ^ rhs.l2) | (lhs.l3 ^ rhs.l3)) == 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(l0)
        hasher.combine(l1)
        hasher.combine(l2)
        hasher.combine(l3)
    }

    /// Straight-line carry chains with a branch-free reduction (`modular_addition.h`).
    @inlinable
    public static func + (lhs: Self, rhs: Self) -> Self {
        let r = zk_add_mod(zk_fe256(l: lhs.montgomeryLimbs), zk_fe256(l: rhs.montgomeryLimbs), zk_fe256(l: P.modulusLimbs)).l
        return Self(montgomeryLimbs: r.0, r.1, r.2, r.3)
    }

    @inlinable
    public static func - (lhs: Self, rhs: Self) -> Self {
        let r = zk_sub_mod(zk_fe256(l: lhs.montgomeryLimbs), zk_fe256(l: rhs.montgomeryLimbs), zk_fe256(l: P.modulusLimbs)).l
        return Self(montgomeryLimbs: r.0, r.1, r.2, r.3)
    }

    @inlinable
    public static prefix func - (value: Self) -> Self {
        value.isZero ? value : Self.zero - value
    }

    @inlinable
    public static func * (lhs: Self, rhs: Self) -> Self { P.product(lhs, rhs) }

    @inlinable public func squared() -> Self { P.square(self) }
    @inlinable public func doubled() -> Self { self + self }

    /// Inversion through GMP's extended GCD on the Montgomery representative:
    /// (aR)^-1 = a^-1 R^-1, and two products with R^2 bring it to a^-1 R.
    public func inverse() -> Self? {
        if isZero { return nil }
        let raw = BigInt(limbs: [l0, l1, l2, l3])
        guard let inverted = raw.inverse(modulo: P.modulus), let limbs = inverted.limbs(count: 4) else { return nil }
        let rSquared = Self(P.rSquared)
        return Self(montgomeryLimbs: limbs[0], limbs[1], limbs[2], limbs[3]) * rSquared * rSquared
    }

    /// Inversion by Fermat's little theorem, `a^(q-2)`, in fixed limbs (kept for the benchmark).
    public func inverseByExponentiation() -> Self? {
        if isZero { return nil }
        return power(limbs: P.exponents.fermatInverse)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> Self {
        while true {
            let candidate = (generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64,
                             (generator.next() as UInt64) & P.topLimbMask)
            // A uniform value below q read as a Montgomery representative is a uniform element.
            let q = P.modulusLimbs
            let (_, b0) = subtractWithBorrow(candidate.0, q.0, 0)
            let (_, b1) = subtractWithBorrow(candidate.1, q.1, b0)
            let (_, b2) = subtractWithBorrow(candidate.2, q.2, b1)
            let (_, b3) = subtractWithBorrow(candidate.3, q.3, b2)
            if b3 == 1 { return Self(candidate) }
        }
    }
}

extension MontgomeryField: PrimeField {
    public static var modulus: BigInt { P.modulus }
    public static var byteCount: Int { 32 }

    /// Maps a canonical value below the modulus (given as limbs) into Montgomery form.
    @inlinable
    public init(canonicalLimbs limbs: Limbs4) {
        self = Self.montgomeryProduct(Self(limbs), Self(P.rSquared))
    }

    /// The canonical value as limbs: the Montgomery product with 1 strips the factor R.
    @inlinable
    public var canonicalLimbs: Limbs4 {
        Self.montgomeryProduct(self, Self(montgomeryLimbs: 1, 0, 0, 0)).montgomeryLimbs
    }

    @inlinable
    public init(_ value: UInt64) { self.init(canonicalLimbs: (value, 0, 0, 0)) }

    public init?(canonical value: BigInt) {
        guard !value.isNegative, value < P.modulus, let limbs = value.limbs(count: 4) else { return nil }
        self.init(canonicalLimbs: (limbs[0], limbs[1], limbs[2], limbs[3]))
    }

    public init(reducing value: BigInt) {
        self.init(canonical: value.modulo(P.modulus))!
    }

    public var canonical: BigInt {
        let limbs = canonicalLimbs
        return BigInt(limbs: [limbs.0, limbs.1, limbs.2, limbs.3])
    }

    public var legendre: Int {
        if isZero { return 0 }
        return power(limbs: P.exponents.legendre) == .one ? 1 : -1
    }

    /// Tonelli-Shanks; for q = 3 mod 4 it reduces to a single exponentiation.
    public func squareRoot() -> Self? {
        if isZero { return self }
        let exponents = P.exponents
        var correction = Self(exponents.smallestNonResidue).power(limbs: exponents.oddPart)
        var candidate = power(limbs: exponents.oddPartPlusOneHalf)
        var residual = power(limbs: exponents.oddPart)
        var order = exponents.twoAdicity
        while residual != .one {
            var exponent = 0
            var probe = residual
            while probe != .one {
                probe.square()
                exponent += 1
                if exponent == order { return nil }
            }
            var factor = correction
            for _ in 0..<(order - exponent - 1) { factor.square() }
            order = exponent
            correction = factor.squared()
            candidate *= factor
            residual *= correction
        }
        return candidate
    }
}

extension MontgomeryField: FFTField where P: FFTParameters {
    public static var twoAdicity: Int { P.twoAdicity }
    public static var multiplicativeGenerator: Self { Self(P.multiplicativeGenerator) }
    public static var twoAdicRootOfUnity: Self {
        multiplicativeGenerator.power((P.modulus - 1) >> P.twoAdicity)
    }
}

extension MontgomeryField: CustomDebugStringConvertible {
    public var debugDescription: String { "\(P.self)(\(canonical))" }
}
