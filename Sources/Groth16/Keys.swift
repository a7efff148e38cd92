import Algebra
import Curves

/// One non-zero entry of the A or B matrix, laid out as snarkjs's `.zkey` section 4 holds it.
public struct MatrixEntry: Sendable, Hashable {
    public enum Matrix: UInt32, Sendable { case a = 0, b = 1 }
    public var matrix: Matrix
    public var constraint: Int
    public var wire: Int
    public var value: Fr

    public init(matrix: Matrix, constraint: Int, wire: Int, value: Fr) {
        self.matrix = matrix
        self.constraint = constraint
        self.wire = wire
        self.value = value
    }
}

/// A Groth16 proving key in snarkjs's layout (the `.zkey` sections map one to one onto these fields).
///
/// `h` holds the Lagrange-basis points of the odd 2n-th roots of unity divided by delta, so the
/// prover needs no division by the vanishing polynomial ("circom reduction").
public struct ProvingKey: Sendable, Equatable {
    /// Public signals (outputs then inputs), not counting the constant wire.
    public var publicCount: Int
    public var wireCount: Int
    public var domainLogSize: Int
    public var alpha1: G1Affine
    public var beta1: G1Affine
    public var beta2: G2Affine
    public var gamma2: G2Affine
    public var delta1: G1Affine
    public var delta2: G2Affine
    /// (beta u_j + alpha v_j + w_j) / gamma for the constant wire and the public wires.
    public var ic: [G1Affine]
    /// A and B matrix entries, including one extra A row per public wire (and the constant wire).
    public var coefficients: [MatrixEntry]
    public var a: [G1Affine]
    public var b1: [G1Affine]
    public var b2: [G2Affine]
    /// (beta u_j + alpha v_j + w_j) / delta for the private wires publicCount+1 ..< wireCount.
    public var c: [G1Affine]
    public var h: [G1Affine]

    public var domainSize: Int { 1 << domainLogSize }

    public init(
        publicCount: Int, wireCount: Int, domainLogSize: Int, alpha1: G1Affine, beta1: G1Affine, beta2: G2Affine,
        gamma2: G2Affine, delta1: G1Affine, delta2: G2Affine, ic: [G1Affine], coefficients: [MatrixEntry],
        a: [G1Affine], b1: [G1Affine], b2: [G2Affine], c: [G1Affine], h: [G1Affine]
    ) {
        self.publicCount = publicCount
        self.wireCount = wireCount
        self.domainLogSize = domainLogSize
        self.alpha1 = alpha1
        self.beta1 = beta1
        self.beta2 = beta2
        self.gamma2 = gamma2
        self.delta1 = delta1
        self.delta2 = delta2
        self.ic = ic
        self.coefficients = coefficients
        self.a = a
        self.b1 = b1
        self.b2 = b2
        self.c = c
        self.h = h
    }

    public var verifyingKey: VerifyingKey {
        VerifyingKey(alpha1: alpha1, beta2: beta2, gamma2: gamma2, delta2: delta2, ic: ic)
    }

    /// Checks the counts that tie the sections together; decoders call this before use.
    public func validateShape() throws(Groth16Error) {
        // The message is built only on failure: this runs once per coefficient.
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(Groth16Error) {
            if !condition { throw .malformedKey(message()) }
        }
        try require(publicCount >= 0 && wireCount >= publicCount + 1, "wire count \(wireCount) is below public count \(publicCount) + 1")
        try require((1...Groth16.maximumDomainLogSize).contains(domainLogSize),
                    "domain size 2^\(domainLogSize) is out of range 2^1...2^\(Groth16.maximumDomainLogSize)")
        try require(ic.count == publicCount + 1, "IC has \(ic.count) points, expected \(publicCount + 1)")
        try require(a.count == wireCount, "A has \(a.count) points, expected \(wireCount)")
        try require(b1.count == wireCount, "B1 has \(b1.count) points, expected \(wireCount)")
        try require(b2.count == wireCount, "B2 has \(b2.count) points, expected \(wireCount)")
        try require(c.count == wireCount - publicCount - 1, "C has \(c.count) points, expected \(wireCount - publicCount - 1)")
        try require(h.count == domainSize, "H has \(h.count) points, expected \(domainSize)")
        for entry in coefficients {
            try require(entry.constraint >= 0 && entry.constraint < domainSize,
                        "coefficient row \(entry.constraint) is outside the domain of size \(domainSize)")
            try require(entry.wire >= 0 && entry.wire < wireCount,
                        "coefficient wire \(entry.wire) is outside 0..<\(wireCount)")
        }
    }
}

/// A Groth16 verifying key; the pairing's G2 inputs are prepared once.
public struct VerifyingKey: Sendable {
    public let alpha1: G1Affine
    public let beta2: G2Affine
    public let gamma2: G2Affine
    public let delta2: G2Affine
    public let ic: [G1Affine]
    let preparedBeta: G2Prepared
    let preparedGamma: G2Prepared
    let preparedDelta: G2Prepared

    public init(alpha1: G1Affine, beta2: G2Affine, gamma2: G2Affine, delta2: G2Affine, ic: [G1Affine]) {
        self.alpha1 = alpha1
        self.beta2 = beta2
        self.gamma2 = gamma2
        self.delta2 = delta2
        self.ic = ic
        preparedBeta = G2Prepared(beta2)
        preparedGamma = G2Prepared(gamma2)
        preparedDelta = G2Prepared(delta2)
    }

    /// Public signals the key expects.
    public var publicCount: Int { ic.count - 1 }

    /// e(alpha, beta), which snarkjs publishes as `vk_alphabeta_12`.
    public var alphaBeta: Fq12 { BN254Pairing.pairing(alpha1, beta2) }
}

extension VerifyingKey: Equatable {
    public static func == (lhs: VerifyingKey, rhs: VerifyingKey) -> Bool {
        lhs.alpha1 == rhs.alpha1 && lhs.beta2 == rhs.beta2 && lhs.gamma2 == rhs.gamma2
            && lhs.delta2 == rhs.delta2 && lhs.ic == rhs.ic
    }
}

/// A Groth16 proof: two G1 points and one G2 point (256 bytes uncompressed).
///
/// Groth16 proofs are malleable: anyone can re-randomise a valid proof into another valid one,
/// so never use proof bytes as a unique identifier.
public struct Proof: Sendable, Equatable {
    public var a: G1Affine
    public var b: G2Affine
    public var c: G1Affine

    public init(a: G1Affine, b: G2Affine, c: G1Affine) {
        self.a = a
        self.b = b
        self.c = c
    }
}

public enum Groth16Error: Error, Equatable, CustomStringConvertible {
    case malformedKey(String)
    case witness(String)
    case publicInputCount(expected: Int, actual: Int)
    case circuitTooLarge(constraints: Int)

    public var description: String {
        switch self {
        case let .malformedKey(message): return "malformed key: \(message)"
        case let .witness(message): return "bad witness: \(message)"
        case let .publicInputCount(expected, actual):
            return "the key expects \(expected) public signals, got \(actual)"
        case let .circuitTooLarge(constraints):
            return "\(constraints) constraints need a domain above 2^\(Groth16.maximumDomainLogSize), BN254's limit for Groth16"
        }
    }
}
