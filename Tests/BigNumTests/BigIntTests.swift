import BigNum
import Testing
import TestSupport

@Suite struct BigIntTests {
    let p = BigInt("21888242871839275222246405745257275088696311157297823662689037894645226208583")!

    @Test func decimalAndHexRoundTrip() {
        #expect(p.description == "21888242871839275222246405745257275088696311157297823662689037894645226208583")
        #expect(p.toString(radix: 16) == "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47")
        #expect(BigInt(parsing: "0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47") == p)
        #expect(BigInt("-12345")!.description == "-12345")
        #expect(BigInt("+7") == BigInt(7))
    }

    @Test(arguments: ["", "-", "12a", " 12", "12 ", "1_000", "0x12", "１２", "1.5", "--1"])
    func junkIsRejected(_ text: String) {
        #expect(BigInt(text) == nil)
    }

    @Test func bytesAndLimbsRoundTrip() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<200 {
            let value = BigInt.random(below: p, using: &rng)
            #expect(BigInt(bigEndianBytes: value.bigEndianBytes(count: 32)!) == value)
            #expect(BigInt(littleEndianBytes: value.littleEndianBytes(count: 32)!) == value)
            #expect(BigInt(limbs: value.limbs(count: 4)!) == value)
        }
        #expect(p.bigEndianBytes(count: 31) == nil)
        #expect(p.limbs(count: 3) == nil)
        #expect(BigInt(0).bigEndianBytes(count: 2) == [0, 0])
    }

    @Test func arithmeticIdentities() {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<500 {
            let a = BigInt.random(below: p, using: &rng) - BigInt.random(below: p, using: &rng)
            let b = BigInt.random(below: p, using: &rng) + 1
            #expect((a * b) / b == a)
            #expect((a / b) * b + a % b == a)
            #expect(a.modulo(b) >= 0 && a.modulo(b) < b)
            #expect((a + b) - b == a)
            #expect(-(-a) == a)
            #expect((a << 7) >> 7 == a)
        }
        #expect(BigInt(2).power(10) == BigInt(1024))
        #expect(BigInt(-7) / BigInt(2) == BigInt(-3))
        #expect(BigInt(-7) % BigInt(2) == BigInt(-1))
        #expect(BigInt(-7).modulo(BigInt(2)) == BigInt(1))
    }

    @Test func modularInverseAndPower() {
        var rng = SplitMix64(seed: 3)
        #expect(p.isProbablePrime())
        for _ in 0..<200 {
            let a = BigInt.random(below: p - 1, using: &rng) + 1
            let inverse = a.inverse(modulo: p)!
            #expect((a * inverse).modulo(p) == 1)
            #expect(a.power(p - 1, modulus: p) == 1)  // Fermat
            #expect(a.power(-1, modulus: p) == inverse)
        }
        #expect(BigInt(6).inverse(modulo: BigInt(9)) == nil)
        #expect(BigInt(0).inverse(modulo: p) == nil)
    }

    @Test func comparisonAndHashing() {
        #expect(BigInt(-5) < BigInt(3))
        #expect(BigInt(3) > BigInt(-5))
        #expect(Set([BigInt(5), BigInt("5")!, BigInt(-5)]).count == 2)
        #expect(BigInt(0).bitWidth == 0)
        #expect(BigInt(255).bitWidth == 8)
        #expect(p.bitWidth == 254)
    }
}

@Suite struct MPNMontgomeryTests {
    @Test func agreesWithTheDefinition() {
        let q = BigInt("21888242871839275222246405745257275088696311157297823662689037894645226208583")!
        let mpn = MPNMontgomery(modulus: q)!
        let rInverse = (BigInt(1) << 256).inverse(modulo: q)!
        var rng = SplitMix64(seed: 4)
        for _ in 0..<2_000 {
            let a = BigInt.random(below: q, using: &rng), b = BigInt.random(below: q, using: &rng)
            var out = [UInt64](repeating: 0, count: 4)
            let aLimbs = a.limbs(count: 4)!, bLimbs = b.limbs(count: 4)!
            out.withUnsafeMutableBufferPointer { mpn.multiply(aLimbs, bLimbs, into: $0.baseAddress!) }
            #expect(BigInt(limbs: out) == (a * b * rInverse).modulo(q))
        }
        #expect(MPNMontgomery(modulus: BigInt(10)) == nil)
    }
}
