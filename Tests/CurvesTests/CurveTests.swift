import Algebra
import BigNum
import Curves
import Testing
import TestSupport

@Suite struct GroupLawTests {
    @Test func g1GroupLaws() {
        var rng = SplitMix64(seed: 40)
        let g = BN254G1.generator
        for _ in 0..<20 {
            let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
            #expect(g * a + g * b == g * (a + b))
            #expect((g * a) * b == g * (a * b))
            #expect((g * a).doubled() == g * a.doubled())
            #expect((g * a + (g * a).affine).affine == (g * a.doubled()).affine)
            #expect((g * a - g * a).isInfinity)
        }
        #expect((g * (-Fr.one)).affine == -g)
        #expect((g.jacobian.multiplied(byLimbs: Fr.modulus.limbs(count: 4)!)).isInfinity)
    }

    @Test func g2GroupLaws() {
        var rng = SplitMix64(seed: 41)
        let g = BN254G2.generator
        for _ in 0..<10 {
            let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
            #expect(g * a + g * b == g * (a + b))
            #expect((g * a).affine.isOnCurve)
        }
        #expect(g.jacobian.multiplied(byLimbs: Fr.modulus.limbs(count: 4)!).isInfinity)
    }

    @Test func batchAffineMatchesSingleConversions() {
        var rng = SplitMix64(seed: 42)
        var points = (0..<30).map { _ in BN254G1.generator * Fr.random(using: &rng) }
        points[4] = .infinity
        #expect(G1Jacobian.batchAffine(points) == points.map(\.affine))
    }

    @Test func signedWindowDigitsReconstructTheScalar() {
        var rng = SplitMix64(seed: 43)
        for window in 2...8 {
            for _ in 0..<20 {
                let value = BigInt.random(below: BigInt(1) << 256, using: &rng)
                let digits = signedWindowDigits(value.limbs(count: 4)!, window: window)
                var rebuilt = BigInt(0)
                for digit in digits.reversed() { rebuilt = rebuilt * 2 + BigInt(Int(digit)) }
                #expect(rebuilt == value)
                #expect(digits.allSatisfy { $0 == 0 || ($0 & 1 == 1 && abs(Int($0)) < 1 << (window - 1)) })
            }
        }
    }
}

@Suite struct SubgroupCheckTests {
    /// A point on the twist found by hashing increasing x until x^3 + b' is a square.
    func twistPoint(startingAt seed: UInt64) -> G2Affine {
        var x = Fq2(Fq(seed), Fq(1))
        while true {
            if let y = (x.squared() * x + BN254G2.coefficientB).squareRoot() {
                return G2Affine(uncheckedX: x, y: y)
            }
            x += .one
        }
    }

    @Test func fastCheckAgreesWithMultiplicationByR() {
        let rLimbs = Fr.modulus.limbs(count: 4)!
        for seed in UInt64(1)...6 {
            let point = twistPoint(startingAt: seed)
            #expect(point.isOnCurve)
            let inSubgroupByOrder = point.jacobian.multiplied(byLimbs: rLimbs).isInfinity
            #expect(point.isInSubgroup == inSubgroupByOrder)
            #expect(!point.isInSubgroup)  // the cofactor is huge, so random twist points are outside
            // Clearing the cofactor (order of the twist / r) lands in the subgroup.
            let p = Fq.modulus, r = Fr.modulus
            // On a BN curve the twist has order (p + 1 - t)(p - 1 + t) = r (2p - r).
            let cofactor = p * 2 - r
            let cleared = point.jacobian.multiplied(byLimbs: cofactor.limbs(count: 4)!).affine
            #expect(cleared.isOnCurve)
            #expect(cleared.isInSubgroup)
            #expect(cleared.jacobian.multiplied(byLimbs: rLimbs).isInfinity)
        }
    }

    @Test func psiActsAsMultiplicationByP() {
        let g = BN254G2.generator
        let pModR = Fr(reducing: Fq.modulus)
        #expect(g.psi().jacobian == g * pModR)
        #expect(g.psi().isOnCurve)
    }
}

@Suite struct PointEncodingTests {
    @Test func roundTrips() throws {
        var rng = SplitMix64(seed: 50)
        for _ in 0..<10 {
            let p1 = (BN254G1.generator * Fr.random(using: &rng)).affine
            let p2 = (BN254G2.generator * Fr.random(using: &rng)).affine
            #expect(try G1Affine(ethereumBytes: p1.ethereumBytes) == p1)
            #expect(try G1Affine(snarkjs: p1.snarkjs) == p1)
            #expect(try G2Affine(ethereumBytes: p2.ethereumBytes) == p2)
            #expect(try G2Affine(snarkjs: p2.snarkjs) == p2)
        }
        #expect(try G1Affine(ethereumBytes: G1Affine.infinity.ethereumBytes) == .infinity)
        #expect(try G2Affine(ethereumBytes: G2Affine.infinity.ethereumBytes) == .infinity)
        #expect(try G1Affine(snarkjs: ["0", "1", "0"]) == .infinity)
        #expect(try G2Affine(snarkjs: G2Affine.infinity.snarkjs) == .infinity)
    }

    @Test func ethereumG2OrderPutsTheImaginaryPartFirst() {
        let g = BN254G2.generator
        let bytes = g.ethereumBytes
        #expect(Array(bytes[0..<32]) == g.x.c1.bigEndianBytes)
        #expect(Array(bytes[32..<64]) == g.x.c0.bigEndianBytes)
    }

    @Test func coordinatesAtOrAboveTheFieldModulusAreRejected() {
        let g = BN254G1.generator
        // x + p encodes the same residue but is not canonical.
        let shiftedX = (g.x.canonical + Fq.modulus).bigEndianBytes(count: 32)!
        #expect(throws: PointDecodingError.self) { try G1Affine(ethereumBytes: shiftedX + g.y.bigEndianBytes) }
        #expect(throws: PointDecodingError.coordinate(.notCanonical((g.x.canonical + Fq.modulus).description))) {
            try G1Affine(snarkjs: [(g.x.canonical + Fq.modulus).description, g.y.decimal, "1"])
        }
        var g2Bytes = BN254G2.generator.ethereumBytes
        for index in 64..<96 { g2Bytes[index] = 0xff }
        #expect(throws: PointDecodingError.self) { try G2Affine(ethereumBytes: g2Bytes) }
    }

    @Test func malformedShapesAreRejected() {
        #expect(throws: PointDecodingError.self) { try G1Affine(ethereumBytes: [UInt8](repeating: 0, count: 63)) }
        #expect(throws: PointDecodingError.self) { try G2Affine(ethereumBytes: [UInt8](repeating: 0, count: 129)) }
        #expect(throws: PointDecodingError.self) { try G1Affine(snarkjs: ["1", "2"]) }
        #expect(throws: PointDecodingError.self) { try G1Affine(snarkjs: ["1", "2", "3"]) }
        #expect(throws: PointDecodingError.self) { try G1Affine(snarkjs: ["1", "2x", "1"]) }
        #expect(throws: PointDecodingError.self) { try G2Affine(snarkjs: [["1"], ["2"], ["1"]]) }
        #expect(throws: PointDecodingError.notOnCurve(group: "G1")) { try G1Affine(snarkjs: ["1", "3", "1"]) }
    }
}

@Suite struct PairingTests {
    @Test func bilinearityAndNonDegeneracy() {
        var rng = SplitMix64(seed: 60)
        let p = BN254G1.generator, q = BN254G2.generator
        let base = BN254Pairing.pairing(p, q)
        #expect(!base.isOne)
        #expect(base.power(Fr.modulus).isOne)  // lands in the order-r subgroup
        for _ in 0..<3 {
            let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
            let lhs = BN254Pairing.pairing((p * a).affine, (q * b).affine)
            let rhs = BN254Pairing.pairing((p * (a * b)).affine, q)
            #expect(lhs == rhs)
            #expect(lhs == base.power(a.canonical * b.canonical))
        }
    }

    @Test func multiMillerLoopMatchesProductOfPairings() {
        var rng = SplitMix64(seed: 61)
        let pairs = (0..<3).map { _ in
            ((BN254G1.generator * Fr.random(using: &rng)).affine, (BN254G2.generator * Fr.random(using: &rng)).affine)
        }
        let product = pairs.map { BN254Pairing.pairing($0.0, $0.1) }.reduce(Fq12.one, *)
        let shared = BN254Pairing.finalExponentiation(BN254Pairing.millerLoop(pairs.map { ($0.0, G2Prepared($0.1)) }))
        #expect(product == shared)
    }

    @Test func hardPartExponentIsAMultipleOfTheTrueOne() {
        // lambda0 + lambda1 p + lambda2 p^2 + lambda3 p^3 = m (p^4 - p^2 + 1)/r with m prime to r.
        let x = BigInt(BN254Constants.bnParameter)
        let p = Fq.modulus, r = Fr.modulus
        let x2 = x * x, x3 = x2 * x
        let lambda0 = x3 * 12 + x2 * 12 + x * 6 + 1
        let lambda1 = x3 * 12 + x2 * 6 + x * 4
        let lambda2 = x3 * 12 + x2 * 6 + x * 6
        let lambda3 = x3 * 12 + x2 * 6 + x * 4 - 1
        let exponent = lambda0 + lambda1 * p + lambda2 * p * p + lambda3 * p * p * p
        let trueHard = (p.power(4) - p * p + 1) / r
        #expect((p.power(4) - p * p + 1) % r == 0)
        #expect(exponent % trueHard == 0)
        #expect((exponent / trueHard).gcd(r) == 1)
        // And the addition chain computes exactly that power.
        var rng = SplitMix64(seed: 62)
        let f = Fq12.random(using: &rng)
        var cyclotomic = f.conjugate() * f.inverse()!
        cyclotomic = cyclotomic.frobenius(2) * cyclotomic
        #expect(BN254Pairing.hardPart(cyclotomic) == cyclotomic.power(exponent))
    }

    @Test func loopDigitsEncodeSixXPlusTwo() {
        var value = BigInt(0)
        for digit in BN254Pairing.loopDigits.reversed() { value = value * 2 + BigInt(Int(digit)) }
        #expect(value == BigInt(BN254Constants.bnParameter) * 6 + 2)
    }

    @Test func infinityContributesOne() {
        let p = BN254G1.generator, q = BN254G2.generator
        #expect(BN254Pairing.pairingCheck([(.infinity, q), (p, .infinity)]))
        #expect(BN254Pairing.pairingCheck([]))
        #expect(!BN254Pairing.pairingCheck([(p, q)]))
    }
}
