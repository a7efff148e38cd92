import Algebra
import BigNum

/// BN254 G1: y^2 = x^3 + 3 over Fq, generator (1, 2), cofactor 1.
public enum BN254G1: ShortWeierstrassCurve {
    public typealias BaseField = Fq
    @inlinable public static var coefficientB: Fq { Fq(3) }
    @inlinable public static var generator: AffinePoint<BN254G1> { AffinePoint(uncheckedX: Fq(1), y: Fq(2)) }
}

/// BN254 G2: the sextic D-type twist y^2 = x^3 + 3/(9+u) over Fq2; its r-torsion is G2.
public enum BN254G2: ShortWeierstrassCurve {
    public typealias BaseField = Fq2
    public static var coefficientB: Fq2 { BN254Constants.shared.twistB }
    public static var generator: AffinePoint<BN254G2> { BN254Constants.shared.g2Generator }
}

public typealias G1Affine = AffinePoint<BN254G1>
public typealias G1Jacobian = JacobianPoint<BN254G1>
public typealias G2Affine = AffinePoint<BN254G2>
public typealias G2Jacobian = JacobianPoint<BN254G2>

/// Curve constants derived once at first use.
public struct BN254Constants: Sendable {
    /// The BN parameter x (t-param); p and r are polynomials in it.
    public static let bnParameter: UInt64 = 4_965_661_367_192_848_881

    public let twistB: Fq2
    public let g2Generator: G2Affine
    /// xi^((p-1)/3) and xi^((p-1)/2): the untwist-Frobenius-twist map psi multiplies by these.
    public let psiCoefficientX: Fq2
    public let psiCoefficientY: Fq2
    /// 6x^2 as limbs; on G2, psi acts as multiplication by p = 6x^2 (mod r).
    public let sixXSquared: [UInt64]
    /// 1/2 in Fq, used by the Miller loop's doubling step.
    public let twoInverse: Fq

    public static let shared = BN254Constants()

    init() {
        twistB = Fq2(Fq(3), .zero) * Fq2.nonResidue.inverse()!
        let gx = Fq2(
            Fq(canonical: BigInt("10857046999023057135944570762232829481370756359578518086990519993285655852781")!)!,
            Fq(canonical: BigInt("11559732032986387107991004021392285783925812861821192530917403151452391805634")!)!)
        let gy = Fq2(
            Fq(canonical: BigInt("8495653923123431417604973247489272438418190587263600148770280649306958101930")!)!,
            Fq(canonical: BigInt("4082367875863433681332203403145435568316851327593401208105741076214120093531")!)!)
        g2Generator = G2Affine(uncheckedX: gx, y: gy)
        let p = Fq.modulus
        psiCoefficientX = Fq2.nonResidue.power((p - 1) / 3)
        psiCoefficientY = Fq2.nonResidue.power((p - 1) / 2)
        let x = BigInt(Self.bnParameter)
        sixXSquared = (x * x * 6).limbs(count: 2)!
        twoInverse = Fq(2).inverse()!
    }
}

extension AffinePoint where Curve == BN254G2 {
    /// psi = untwist, p-power Frobenius, twist: (x, y) -> (conj(x) xi^((p-1)/3), conj(y) xi^((p-1)/2)).
    @inlinable
    public func psi() -> G2Affine {
        if isInfinity { return self }
        let constants = BN254Constants.shared
        return G2Affine(uncheckedX: x.conjugate() * constants.psiCoefficientX, y: y.conjugate() * constants.psiCoefficientY)
    }

    /// Membership in the order-r subgroup for a point already on the twist:
    /// psi(Q) = [6x^2] Q holds exactly on G2 (El Housni, Guillevic, Piellard, ePrint 2022/352).
    public var isInSubgroup: Bool {
        if isInfinity { return true }
        return jacobian.multiplied(byLimbs: BN254Constants.shared.sixXSquared) == psi().jacobian
    }
}

extension JacobianPoint {
    /// `scalar * self` for a scalar-field element.
    @inlinable
    public static func * (point: JacobianPoint, scalar: Fr) -> JacobianPoint {
        let limbs = scalar.canonicalLimbs
        return point.multiplied(byLimbs: [limbs.0, limbs.1, limbs.2, limbs.3])
    }
}

extension AffinePoint {
    @inlinable
    public static func * (point: AffinePoint, scalar: Fr) -> JacobianPoint<Curve> { point.jacobian * scalar }
}
