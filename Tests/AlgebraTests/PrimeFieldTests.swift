import Algebra
import BigNum
import Testing
import TestSupport

/// Agreement of the fixed-limb Montgomery fields with GMP on 10,000 random values per operation.
@Suite struct PrimeFieldAgreementTests {
    static let sampleCount = 10_000

    @Test func montgomeryConstantsMatchGMP() {
        for (modulus, limbs, inverse, r, r2) in [
            (FqParameters.modulus, FqParameters.modulusLimbs, FqParameters.negatedInverse, FqParameters.rModulus, FqParameters.rSquared),
            (FrParameters.modulus, FrParameters.modulusLimbs, FrParameters.negatedInverse, FrParameters.rModulus, FrParameters.rSquared),
        ] {
            let two256 = BigInt(1) << 256
            #expect(BigInt(limbs: [limbs.0, limbs.1, limbs.2, limbs.3]) == modulus)
            #expect(BigInt(limbs: [r.0, r.1, r.2, r.3]) == two256.modulo(modulus))
            #expect(BigInt(limbs: [r2.0, r2.1, r2.2, r2.3]) == (two256 * two256).modulo(modulus))
            let word = BigInt(1) << 64
            #expect((modulus * BigInt(inverse)).modulo(word) == word - 1)
            #expect(limbs.3 < (1 << 63))  // the no-carry CIOS precondition
        }
    }

    func checkAgreement<F: PrimeField>(_: F.Type, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let modulus = F.modulus
        var mismatches = 0
        for index in 0..<Self.sampleCount {
            // Mix in edge values so carries and the final subtraction are exercised.
            let edge: [BigInt] = [0, 1, 2, modulus - 1, modulus - 2, (modulus - 1) >> 1, BigInt(1) << 253]
            let a = index < edge.count ? edge[index] : BigInt.random(below: modulus, using: &rng)
            let b = index < edge.count ? edge[(index + 3) % edge.count] : BigInt.random(below: modulus, using: &rng)
            let fa = F(canonical: a)!
            let fb = F(canonical: b)!
            if fa.canonical != a { mismatches += 1 }
            if (fa + fb).canonical != (a + b).modulo(modulus) { mismatches += 1 }
            if (fa - fb).canonical != (a - b).modulo(modulus) { mismatches += 1 }
            if (-fa).canonical != (-a).modulo(modulus) { mismatches += 1 }
            if (fa * fb).canonical != (a * b).modulo(modulus) { mismatches += 1 }
            if fa.squared().canonical != (a * a).modulo(modulus) { mismatches += 1 }
            if fa.doubled().canonical != (a + a).modulo(modulus) { mismatches += 1 }
            if let inverse = fa.inverse() {
                if inverse.canonical != a.inverse(modulo: modulus)! { mismatches += 1 }
            } else if !a.isZero {
                mismatches += 1
            }
            // Encodings round-trip and agree with GMP's byte order.
            if fa.bigEndianBytes != a.bigEndianBytes(count: 32)! { mismatches += 1 }
            if (try? F(littleEndian: a.littleEndianBytes(count: 32)!)) != fa { mismatches += 1 }
            if (try? F(decimal: a.description)) != fa { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func fqAgreesWithGMP() { checkAgreement(Fq.self, seed: 10) }
    @Test func frAgreesWithGMP() { checkAgreement(Fr.self, seed: 11) }

    func checkPowerSqrtAndLegendre<F: PrimeField>(_: F.Type, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let modulus = F.modulus
        var mismatches = 0
        var residues = 0
        for _ in 0..<Self.sampleCount {
            let a = BigInt.random(below: modulus, using: &rng)
            let e = BigInt.random(below: BigInt(1) << 64, using: &rng)
            let fa = F(canonical: a)!
            if fa.power(e).canonical != a.power(e, modulus: modulus)! { mismatches += 1 }
            let jacobi = a.jacobi(modulus)
            if fa.legendre != jacobi { mismatches += 1 }
            let root = fa.squareRoot()
            if jacobi == -1 {
                if root != nil { mismatches += 1 }
            } else {
                residues += 1
                if let root, (root.canonical * root.canonical).modulo(modulus) == a {} else { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        #expect(residues > Self.sampleCount / 3)
    }

    @Test func fqPowerSqrtLegendre() { checkPowerSqrtAndLegendre(Fq.self, seed: 12) }
    @Test func frPowerSqrtLegendre() { checkPowerSqrtAndLegendre(Fr.self, seed: 13) }

    @Test func fermatInverseMatchesGMPInverse() {
        var rng = SplitMix64(seed: 14)
        for _ in 0..<200 {
            let a = Fr.random(using: &rng)
            #expect(a.inverseByExponentiation() == a.inverse())
        }
        #expect(Fr.zero.inverse() == nil)
        #expect(Fq.zero.inverseByExponentiation() == nil)
    }

    @Test func randomElementsAreReducedAndSpread() {
        var rng = SplitMix64(seed: 15)
        var seen = Set<Fr>()
        for _ in 0..<1000 {
            let value = Fr.random(using: &rng)
            #expect(value.canonical < Fr.modulus)
            seen.insert(value)
        }
        #expect(seen.count == 1000)
    }

    @Test func twoAdicRootOfUnity() {
        let root = Fr.twoAdicRootOfUnity
        #expect(Fr.twoAdicity == 28)
        #expect(root.canonical == BigInt("19103219067921713944291392827692070036145651957329286315305642004821462161904"))
        var value = root
        for _ in 0..<27 { value.square() }
        #expect(value == -Fr.one)  // primitive: order exactly 2^28
        #expect(Fr.rootOfUnity(logSize: 1) == -Fr.one)
        #expect(Fr.rootOfUnity(logSize: 29) == nil)
    }
}

@Suite struct PrimeFieldEncodingTests {
    @Test func valuesAtOrAboveTheModulusAreRejected() {
        let p = Fq.modulus
        for value in [p, p + 1, (BigInt(1) << 256) - 1] {
            #expect(Fq(canonical: value) == nil)
            #expect(throws: FieldEncodingError.notCanonical(value.description)) { try Fq(decimal: value.description) }
            #expect(throws: FieldEncodingError.self) { try Fq(bigEndian: value.bigEndianBytes(count: 32)!) }
        }
        #expect(Fq(canonical: BigInt(-1)) == nil)
        #expect(Fr(canonical: Fr.modulus) == nil)
        #expect(Fr(canonical: Fr.modulus - 1) != nil)
    }

    @Test(arguments: ["", "-1", "+1", "12a", " 1", "1 ", "0x10", "1e5", "٣"])
    func junkDecimalsAreRejected(_ text: String) {
        #expect(throws: FieldEncodingError.invalidDecimal(text)) { try Fr(decimal: text) }
    }

    @Test func wrongLengthsAreRejected() {
        #expect(throws: FieldEncodingError.wrongLength(expected: 32, actual: 31)) {
            try Fr(bigEndian: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: FieldEncodingError.wrongLength(expected: 32, actual: 33)) {
            try Fq(littleEndian: [UInt8](repeating: 0, count: 33))
        }
    }

    @Test func reducingAcceptsAnyInteger() {
        #expect(Fr(reducing: Fr.modulus + 5) == Fr(5))
        #expect(Fr(reducing: BigInt(-1)) == -Fr.one)
    }
}

@Suite struct MultiplicationKernelTests {
    /// The dispatched product (MULX/ADCX/ADOX assembly where available) equals the portable CIOS.
    @Test func kernelsAgree() {
        var rng = SplitMix64(seed: 16)
        var mismatches = 0
        for _ in 0..<10_000 {
            let a = Fq.random(using: &rng), b = Fq.random(using: &rng)
            if a * b != Fq.montgomeryProduct(a, b) || a.squared() != Fq.montgomeryProduct(a, a) { mismatches += 1 }
            let c = Fr.random(using: &rng), d = Fr.random(using: &rng)
            if c * d != Fr.montgomeryProduct(c, d) || c.squared() != Fr.montgomeryProduct(c, c) { mismatches += 1 }
        }
        let edges: [Fq] = [.zero, .one, -Fq.one, Fq(2), -Fq(2)]
        for a in edges { for b in edges where a * b != Fq.montgomeryProduct(a, b) { mismatches += 1 } }
        #expect(mismatches == 0, "ADX in use: \(fieldArithmeticUsesADX)")
    }
}
