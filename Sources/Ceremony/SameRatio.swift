import Curves

/// The ceremony's basic check: a G1 pair and a G2 pair hide the same exponent.
public enum SameRatio {
    /// e(a1, b2) = e(b1, a2), i.e. b1 / a1 = b2 / a2 as discrete logs; false when any point is the identity.
    public static func holds(_ a1: G1Affine, _ b1: G1Affine, _ a2: G2Affine, _ b2: G2Affine) -> Bool {
        if a1.isInfinity || b1.isInfinity || a2.isInfinity || b2.isInfinity { return false }
        return BN254Pairing.pairingCheck([(a1, b2), ((-b1.jacobian).affine, a2)])
    }
}
