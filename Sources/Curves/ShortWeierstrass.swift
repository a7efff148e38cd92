import Algebra

/// A short-Weierstrass curve y^2 = x^3 + b (a = 0) over `BaseField`.
public protocol ShortWeierstrassCurve: Sendable {
    associatedtype BaseField: Field
    static var coefficientB: BaseField { get }
    static var generator: AffinePoint<Self> { get }
}

/// A point in affine coordinates; the point at infinity is flagged, its coordinates are zero.
@frozen
public struct AffinePoint<Curve: ShortWeierstrassCurve>: Hashable, Sendable {
    public var x: Curve.BaseField
    public var y: Curve.BaseField
    public var isInfinity: Bool

    /// Wraps coordinates without checking them; decoders and `init(checkedX:y:)` validate.
    @inlinable
    public init(uncheckedX x: Curve.BaseField, y: Curve.BaseField) {
        self.x = x
        self.y = y
        self.isInfinity = false
    }

    @inlinable
    public static var infinity: AffinePoint {
        var point = AffinePoint(uncheckedX: .zero, y: .zero)
        point.isInfinity = true
        return point
    }

    /// True for the point at infinity and for points satisfying the curve equation.
    @inlinable
    public var isOnCurve: Bool {
        isInfinity || y.squared() == x.squared() * x + Curve.coefficientB
    }

    @inlinable
    public static prefix func - (point: AffinePoint) -> AffinePoint {
        point.isInfinity ? point : AffinePoint(uncheckedX: point.x, y: -point.y)
    }

    @inlinable
    public var jacobian: JacobianPoint<Curve> {
        isInfinity ? .infinity : JacobianPoint(x: x, y: y, z: .one)
    }
}

/// A point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is the point at infinity.
@frozen
public struct JacobianPoint<Curve: ShortWeierstrassCurve>: Sendable {
    public var x: Curve.BaseField
    public var y: Curve.BaseField
    public var z: Curve.BaseField

    @inlinable
    public init(x: Curve.BaseField, y: Curve.BaseField, z: Curve.BaseField) {
        self.x = x
        self.y = y
        self.z = z
    }

    @inlinable public static var infinity: JacobianPoint { JacobianPoint(x: .one, y: .one, z: .zero) }
    @inlinable public var isInfinity: Bool { z.isZero }

    /// Doubling, dbl-2009-l (a = 0).
    @inlinable
    public func doubled() -> JacobianPoint {
        if isInfinity { return self }
        let a = x.squared()
        let b = y.squared()
        let c = b.squared()
        let d = ((x + b).squared() - a - c).doubled()
        let e = a.doubled() + a
        let f = e.squared()
        let x3 = f - d.doubled()
        let y3 = e * (d - x3) - c.doubled().doubled().doubled()
        let z3 = (y * z).doubled()
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// Mixed addition with an affine point, madd-2007-bl.
    @inlinable
    public func adding(_ other: AffinePoint<Curve>) -> JacobianPoint {
        if other.isInfinity { return self }
        if isInfinity { return other.jacobian }
        let z1z1 = z.squared()
        let u2 = other.x * z1z1
        let s2 = other.y * z * z1z1
        let h = u2 - x
        let r = (s2 - y).doubled()
        if h.isZero {
            return r.isZero ? doubled() : .infinity
        }
        let hh = h.squared()
        let i = hh.doubled().doubled()
        let j = h * i
        let v = x * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (y * j).doubled()
        let z3 = (z + h).squared() - z1z1 - hh
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// General addition, add-2007-bl.
    @inlinable
    public func adding(_ other: JacobianPoint) -> JacobianPoint {
        if other.isInfinity { return self }
        if isInfinity { return other }
        let z1z1 = z.squared()
        let z2z2 = other.z.squared()
        let u1 = x * z2z2
        let u2 = other.x * z1z1
        let s1 = y * other.z * z2z2
        let s2 = other.y * z * z1z1
        let h = u2 - u1
        let r = (s2 - s1).doubled()
        if h.isZero {
            return r.isZero ? doubled() : .infinity
        }
        let i = h.doubled().squared()
        let j = h * i
        let v = u1 * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (s1 * j).doubled()
        let z3 = ((z + other.z).squared() - z1z1 - z2z2) * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    @inlinable public static func + (lhs: JacobianPoint, rhs: JacobianPoint) -> JacobianPoint { lhs.adding(rhs) }
    @inlinable public static func + (lhs: JacobianPoint, rhs: AffinePoint<Curve>) -> JacobianPoint { lhs.adding(rhs) }
    @inlinable public static func += (lhs: inout JacobianPoint, rhs: JacobianPoint) { lhs = lhs.adding(rhs) }
    @inlinable public static func += (lhs: inout JacobianPoint, rhs: AffinePoint<Curve>) { lhs = lhs.adding(rhs) }
    @inlinable public static prefix func - (point: JacobianPoint) -> JacobianPoint {
        JacobianPoint(x: point.x, y: -point.y, z: point.z)
    }
    @inlinable public static func - (lhs: JacobianPoint, rhs: JacobianPoint) -> JacobianPoint { lhs.adding(-rhs) }

    public var affine: AffinePoint<Curve> {
        guard let zInverse = z.inverse() else { return .infinity }
        let zInverseSquared = zInverse.squared()
        return AffinePoint(uncheckedX: x * zInverseSquared, y: y * zInverseSquared * zInverse)
    }

    /// Converts many points with a single field inversion.
    public static func batchAffine(_ points: [JacobianPoint]) -> [AffinePoint<Curve>] {
        var zInverses = points.map(\.z)
        Curve.BaseField.batchInvert(&zInverses)
        return zip(points, zInverses).map { point, zInverse in
            if point.isInfinity { return .infinity }
            let zInverseSquared = zInverse.squared()
            return AffinePoint(uncheckedX: point.x * zInverseSquared, y: point.y * zInverseSquared * zInverse)
        }
    }

    /// `scalar * self` for a non-negative scalar given as little-endian limbs (width-5 signed windows).
    @inlinable
    public func multiplied(byLimbs scalar: [UInt64]) -> JacobianPoint {
        let digits = signedWindowDigits(scalar, window: 5)
        if digits.isEmpty || isInfinity { return .infinity }
        // Odd multiples P, 3P, ..., 15P.
        var table = [self]
        let twice = doubled()
        for _ in 1..<8 { table.append(table[table.count - 1].adding(twice)) }
        var result = JacobianPoint.infinity
        for digit in digits.reversed() {
            result = result.doubled()
            if digit > 0 {
                result = result.adding(table[Int(digit) >> 1])
            } else if digit < 0 {
                result = result.adding(-table[Int(-digit) >> 1])
            }
        }
        return result
    }
}

extension JacobianPoint: Equatable {
    /// Projective equality: compares X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3.
    @inlinable
    public static func == (lhs: JacobianPoint, rhs: JacobianPoint) -> Bool {
        if lhs.isInfinity || rhs.isInfinity { return lhs.isInfinity && rhs.isInfinity }
        let z1z1 = lhs.z.squared()
        let z2z2 = rhs.z.squared()
        return lhs.x * z2z2 == rhs.x * z1z1 && lhs.y * z2z2 * rhs.z == rhs.y * z1z1 * lhs.z
    }
}

/// Width-w non-adjacent form digits of a non-negative integer (odd digits in (-2^(w-1), 2^(w-1))), least significant first.
@inlinable
public func signedWindowDigits(_ limbs: [UInt64], window: Int) -> [Int8] {
    var value = limbs
    var digits: [Int8] = []
    digits.reserveCapacity(limbs.count * 64 + 1)
    let modulus = 1 << window
    let half = modulus >> 1
    func isZero(_ v: [UInt64]) -> Bool { v.allSatisfy { $0 == 0 } }
    while !isZero(value) {
        var digit = 0
        if value[0] & 1 == 1 {
            digit = Int(value[0] & UInt64(modulus - 1))
            if digit >= half { digit -= modulus }
            // value -= digit
            if digit > 0 {
                var borrow = UInt64(digit)
                for index in value.indices where borrow != 0 {
                    let (difference, overflow) = value[index].subtractingReportingOverflow(borrow)
                    value[index] = difference
                    borrow = overflow ? 1 : 0
                }
            } else {
                var carry = UInt64(-digit)
                for index in value.indices where carry != 0 {
                    let (sum, overflow) = value[index].addingReportingOverflow(carry)
                    value[index] = sum
                    carry = overflow ? 1 : 0
                }
                if carry != 0 { value.append(carry) }
            }
        }
        digits.append(Int8(digit))
        // value >>= 1
        for index in value.indices {
            let next = index + 1 < value.count ? value[index + 1] : 0
            value[index] = (value[index] >> 1) | (next << 63)
        }
    }
    return digits
}
