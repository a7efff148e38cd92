import Algebra
import BigNum

/// The optimal ate pairing on BN254: e: G1 x G2 -> GT (a subgroup of Fq12*).
public enum BN254Pairing {
    /// Signed binary digits of the Miller loop length 6x + 2, least significant first.
    public static let loopDigits: [Int8] = {
        let length = UInt128(BN254Constants.bnParameter) * 6 + 2
        var digits: [Int8] = []
        var value = length
        while value != 0 {
            if value & 1 == 1 {
                let digit: Int8 = (value & 3) == 3 ? -1 : 1
                digits.append(digit)
                value = digit == 1 ? value - 1 : value + 1
            } else {
                digits.append(0)
            }
            value >>= 1
        }
        return digits
    }()

    /// e(p, q) as an element of GT. The final exponentiation raises to a fixed multiple (prime to r)
    /// of (p^12 - 1)/r, the same chain ffjavascript uses, so values match snarkjs's `vk_alphabeta_12`.
    public static func pairing(_ p: G1Affine, _ q: G2Affine) -> Fq12 {
        finalExponentiation(millerLoop([(p, G2Prepared(q))]))
    }

    /// True when the product of e(p_i, q_i) is one. Pairs with a point at infinity contribute one.
    public static func pairingCheck(_ pairs: [(G1Affine, G2Affine)]) -> Bool {
        pairingCheck(prepared: pairs.map { ($0.0, G2Prepared($0.1)) })
    }

    /// As `pairingCheck(_:)` with G2 points already prepared (verifying keys keep theirs).
    public static func pairingCheck(prepared pairs: [(G1Affine, G2Prepared)]) -> Bool {
        finalExponentiation(millerLoop(pairs)).isOne
    }

    /// The product of the Miller-loop values of all pairs, sharing one accumulator.
    public static func millerLoop(_ pairs: [(G1Affine, G2Prepared)]) -> Fq12 {
        let active = pairs.filter { !$0.0.isInfinity && !$0.1.isInfinity }
        guard let stepCount = active.first?.1.lines.count else { return .one }
        var f = Fq12.one
        var lineIndex = 0
        // The top digit is the starting point T = Q; each lower digit doubles, then maybe adds.
        for digitIndex in stride(from: loopDigits.count - 2, through: 0, by: -1) {
            if digitIndex != loopDigits.count - 2 { f = f.squared() }
            for (p, q) in active { f = evaluate(q.lines[lineIndex], at: p, into: f) }
            lineIndex += 1
            if loopDigits[digitIndex] != 0 {
                for (p, q) in active { f = evaluate(q.lines[lineIndex], at: p, into: f) }
                lineIndex += 1
            }
        }
        // The two Frobenius-twisted additions that complete the optimal ate loop.
        for _ in 0..<2 {
            for (p, q) in active { f = evaluate(q.lines[lineIndex], at: p, into: f) }
            lineIndex += 1
        }
        precondition(lineIndex == stepCount, "prepared line count does not match the loop")
        return f
    }

    @inlinable @inline(__always)
    static func evaluate(_ line: G2Prepared.Line, at p: G1Affine, into f: Fq12) -> Fq12 {
        f.multiplied(by034: line.c0 * p.y, line.c1 * p.x, line.c2)
    }

    /// f^((p^12 - 1)/r), computed as an easy part (p^6 - 1)(p^2 + 1) then a hard part.
    ///
    /// The hard part raises to lambda * (p^4 - p^2 + 1)/r with lambda = 2x(6x^2 + 3x + 1), which is
    /// prime to r (Fuentes-Castaneda, Knapp, Rodriguez-Henriquez), using
    /// lambda0 + lambda1 p + lambda2 p^2 + lambda3 p^3 with
    /// lambda0 = 12x^3 + 12x^2 + 6x + 1, lambda1 = 12x^3 + 6x^2 + 4x,
    /// lambda2 = 12x^3 + 6x^2 + 6x, lambda3 = 12x^3 + 6x^2 + 4x - 1.
    public static func finalExponentiation(_ f: Fq12) -> Fq12 {
        guard let inverse = f.inverse() else { return .zero }
        var r = f.conjugate() * inverse
        r = r.frobenius(2) * r
        return hardPart(r)
    }

    /// The hard part on a cyclotomic element (see `finalExponentiation`).
    public static func hardPart(_ r: Fq12) -> Fq12 {
        let x = BN254Constants.bnParameter
        func powerNegX(_ value: Fq12) -> Fq12 { value.cyclotomicPower(x).conjugate() }
        let y0 = powerNegX(r)               // r^-x
        let y1 = y0.cyclotomicSquared()     // r^-2x
        let y2 = y1.cyclotomicSquared()     // r^-4x
        let y3 = y2 * y1                    // r^-6x
        let y4 = powerNegX(y3)              // r^6x^2
        let y5 = y4.cyclotomicSquared()     // r^12x^2
        let y6 = powerNegX(y5).conjugate()  // r^12x^3
        let y7 = y6 * y4                    // r^(12x^3 + 6x^2)
        let y8 = y7 * y3.conjugate()        // r^(12x^3 + 6x^2 + 6x)
        let y9 = y8 * y1                    // r^(12x^3 + 6x^2 + 4x)
        let y11 = y8 * y4 * r               // r^(12x^3 + 12x^2 + 6x + 1)
        let y13 = y9.frobenius(1) * y11
        let y14 = y8.frobenius(2) * y13
        let y15 = (r.conjugate() * y9).frobenius(3)
        return y15 * y14
    }
}

/// A G2 point's Miller-loop line coefficients, computed once and reusable across pairings.
public struct G2Prepared: Sendable {
    /// A line l = c0 * yP + c1 * xP * w + c2 * w^3 (coefficients before scaling by P).
    public struct Line: Sendable {
        public var c0: Fq2
        public var c1: Fq2
        public var c2: Fq2
    }

    public let lines: [Line]
    public let isInfinity: Bool

    public init(_ q: G2Affine) {
        isInfinity = q.isInfinity
        guard !q.isInfinity else { lines = []; return }
        var lines: [Line] = []
        lines.reserveCapacity(2 * BN254Pairing.loopDigits.count)
        var t = HomogeneousG2(x: q.x, y: q.y, z: .one)
        let negQ = -q
        for digitIndex in stride(from: BN254Pairing.loopDigits.count - 2, through: 0, by: -1) {
            lines.append(t.doubleStep())
            switch BN254Pairing.loopDigits[digitIndex] {
            case 1: lines.append(t.addStep(q))
            case -1: lines.append(t.addStep(negQ))
            default: break
            }
        }
        let q1 = q.psi()
        let q2 = -q1.psi()
        lines.append(t.addStep(q1))
        lines.append(t.addStep(q2))
        self.lines = lines
    }
}

/// G2 in homogeneous projective coordinates (x = X/Z, y = Y/Z), used only to derive lines.
struct HomogeneousG2 {
    var x: Fq2
    var y: Fq2
    var z: Fq2

    /// Doubles T and returns the tangent line at T, scaled by -2YZ.
    mutating func doubleStep() -> G2Prepared.Line {
        let twoInverse = BN254Constants.shared.twoInverse
        let a = (x * y) * twoInverse
        let b = y.squared()
        let c = z.squared()
        let e = BN254G2.coefficientB * (c.doubled() + c)
        let f = e.doubled() + e
        let g = (b + f) * twoInverse
        let h = (y + z).squared() - (b + c)
        let i = e - b
        let j = x.squared()
        let eSquared = e.squared()
        x = a * (b - f)
        y = g.squared() - (eSquared.doubled() + eSquared)
        z = b * h
        return G2Prepared.Line(c0: -h, c1: j.doubled() + j, c2: i)
    }

    /// Adds the affine point Q to T and returns the chord through T and Q, scaled by (X - xQ Z).
    mutating func addStep(_ q: G2Affine) -> G2Prepared.Line {
        let theta = y - q.y * z
        let lambda = x - q.x * z
        let c = theta.squared()
        let d = lambda.squared()
        let e = lambda * d
        let f = z * c
        let g = x * d
        let h = e + f - g.doubled()
        x = lambda * h
        y = theta * (g - h) - e * y
        z = z * e
        let j = theta * q.x - lambda * q.y
        return G2Prepared.Line(c0: lambda, c1: -theta, c2: j)
    }
}
