import Algebra
import BigNum
import Testing
import TestSupport

/// Field axioms, checked on random elements of every field in the tower.
@Suite struct FieldAxiomTests {
    func checkAxioms<F: Field>(_: F.Type, samples: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<samples {
            let a = F.random(using: &rng), b = F.random(using: &rng), c = F.random(using: &rng)
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect((a + b) + c == a + (b + c))
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a + .zero == a && a * .one == a)
            #expect(a - a == .zero && a + (-a) == .zero)
            #expect(a.squared() == a * a)
            #expect(a.doubled() == a + a)
            #expect((a - b) + b == a)
            if let inverse = a.inverse() { #expect(a * inverse == .one) } else { #expect(a.isZero) }
        }
        #expect(F.zero.inverse() == nil)
        #expect(F.one.inverse() == F.one)
    }

    @Test func fr() { checkAxioms(Fr.self, samples: 500, seed: 20) }
    @Test func fq() { checkAxioms(Fq.self, samples: 500, seed: 21) }
    @Test func fq2() { checkAxioms(Fq2.self, samples: 300, seed: 22) }
    @Test func fq6() { checkAxioms(Fq6.self, samples: 100, seed: 23) }
    @Test func fq12() { checkAxioms(Fq12.self, samples: 50, seed: 24) }

    @Test func batchInversionMatchesSingleInversions() {
        var rng = SplitMix64(seed: 25)
        var values = (0..<50).map { _ in Fq2.random(using: &rng) }
        values[7] = .zero
        var inverted = values
        Fq2.batchInvert(&inverted)
        for (value, inverse) in zip(values, inverted) {
            #expect(inverse == (value.isZero ? .zero : value.inverse()!))
        }
    }
}

@Suite struct TowerTests {
    let p = Fq.modulus

    @Test func nonResidueDefinesTheTower() {
        #expect(Fq2(.zero, .one).squared() == -Fq2.one)  // u^2 = -1
        let v = Fq6(.zero, .one, .zero)
        #expect(v * v * v == Fq6(Fq2.nonResidue, .zero, .zero))  // v^3 = xi
        let w = Fq12(.zero, .one)
        #expect(w.squared() == Fq12(v, .zero))  // w^2 = v
        #expect(Fq2(Fq(5), Fq(7)).multipliedByNonResidue() == Fq2(Fq(5), Fq(7)) * Fq2.nonResidue)
    }

    /// The lazily reduced Fq2 product and the Fq2 square (assembly kernels where the CPU has MULX/ADX) against GMP:
    /// (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u, with coordinates at 0, 1 and p - 1
    /// so that c0 = a0 b0 - a1 b1 takes both signs and its extremes.
    @Test func fq2ProductMatchesGMP() {
        var rng = SplitMix64(seed: 29)
        let edges: [Fq] = [.zero, .one, -Fq.one, Fq(2), -Fq(2)]
        var pairs: [(Fq2, Fq2)] = []
        for x0 in edges { for x1 in edges { for y0 in edges { for y1 in edges {
            pairs.append((Fq2(x0, x1), Fq2(y0, y1)))
        } } } }
        for _ in 0..<10_000 { pairs.append((Fq2.random(using: &rng), Fq2.random(using: &rng))) }
        for (a, b) in pairs {
            let product = a * b
            let c0 = (a.c0.canonical * b.c0.canonical - a.c1.canonical * b.c1.canonical).modulo(p)
            let c1 = (a.c0.canonical * b.c1.canonical + a.c1.canonical * b.c0.canonical).modulo(p)
            #expect(product.c0.canonical == c0 && product.c1.canonical == c1, "\(a) * \(b)")
            #expect(product == Fq2.karatsubaProduct(a, b))
            let square = a.squared()
            let s0 = (a.c0.canonical * a.c0.canonical - a.c1.canonical * a.c1.canonical).modulo(p)
            let s1 = (a.c0.canonical * a.c1.canonical * BigInt(2)).modulo(p)
            #expect(square.c0.canonical == s0 && square.c1.canonical == s1, "\(a) squared")
        }
    }

    @Test func frobeniusMatchesPowersOfP() {
        var rng = SplitMix64(seed: 30)
        let a2 = Fq2.random(using: &rng)
        #expect(a2.frobenius(1) == a2.power(p))
        #expect(a2.frobenius(2) == a2)
        let a6 = Fq6.random(using: &rng)
        #expect(a6.frobenius(1) == a6.power(p))
        #expect(a6.frobenius(2) == a6.power(p * p))
        #expect(a6.frobenius(3) == a6.frobenius(1).frobenius(2))
        let a12 = Fq12.random(using: &rng)
        #expect(a12.frobenius(1) == a12.power(p))
        #expect(a12.frobenius(2) == a12.frobenius(1).frobenius(1))
        #expect(a12.frobenius(3) == a12.frobenius(1).frobenius(2))
        #expect(a12.frobenius(6) == a12.conjugate())
        #expect(a12.frobenius(12) == a12)
    }

    @Test func sparseProductsMatchFullProducts() {
        var rng = SplitMix64(seed: 31)
        for _ in 0..<20 {
            let a6 = Fq6.random(using: &rng)
            let b0 = Fq2.random(using: &rng), b1 = Fq2.random(using: &rng), b2 = Fq2.random(using: &rng)
            #expect(a6.multiplied(by01: b0, b1) == a6 * Fq6(b0, b1, .zero))
            #expect(a6.multipliedByNonResidue() == a6 * Fq6(.zero, .one, .zero))
            let a12 = Fq12.random(using: &rng)
            #expect(a12.multiplied(by034: b0, b1, b2) == a12 * Fq12(Fq6(b0, .zero, .zero), Fq6(b1, b2, .zero)))
        }
    }

    @Test func cyclotomicSquaringAndPowerMatchGenericOnes() {
        var rng = SplitMix64(seed: 32)
        for _ in 0..<10 {
            let f = Fq12.random(using: &rng)
            // f^((p^6 - 1)(p^2 + 1)) lies in the cyclotomic subgroup.
            var g = f.conjugate() * f.inverse()!
            g = g.frobenius(2) * g
            #expect(g.cyclotomicSquared() == g.squared())
            #expect(g * g.conjugate() == .one)
            let exponent: UInt64 = 4_965_661_367_192_848_881
            #expect(g.cyclotomicPower(exponent) == g.power(BigInt(exponent)))
            #expect(g.cyclotomicPower(0) == .one)
            #expect(g.cyclotomicPower(1) == g)
            // Runs of ones, a top bit and random words exercise every non-adjacent-form digit pattern.
            for e: UInt64 in [2, 3, 7, 0b1011_0111, UInt64.max, 1 << 63, rng.next()] {
                #expect(g.cyclotomicPower(e) == g.power(BigInt(limbs: [e])), "exponent \(e)")
            }
        }
    }

    @Test func fq2SquareRoots() {
        var rng = SplitMix64(seed: 33)
        var nonSquares = 0
        for _ in 0..<200 {
            let a = Fq2.random(using: &rng)
            let square = a.squared()
            let root = square.squareRoot()!
            #expect(root == a || root == -a)
            if let other = a.squareRoot() { #expect(other.squared() == a) } else { nonSquares += 1 }
        }
        #expect(nonSquares > 50)  // about half of Fq2 is not a square
        #expect(Fq2.zero.squareRoot() == .zero)
    }
}
