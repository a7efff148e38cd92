import Algebra
import Curves
import MSM
import Testing
import TestSupport

@Suite struct MSMTests {
    func randomBases<C: ShortWeierstrassCurve>(_ count: Int, _ rng: inout SplitMix64, curve: C.Type) -> [AffinePoint<C>] {
        let generator = C.generator
        var current = generator * Fr.random(using: &rng)
        var points: [JacobianPoint<C>] = []
        for _ in 0..<count {
            points.append(current)
            current += generator  // cheap distinct points
        }
        return JacobianPoint<C>.batchAffine(points)
    }

    @Test(arguments: [1, 2, 15, 16, 33, 300, 2000])
    func g1MatchesNaive(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        let bases = randomBases(count, &rng, curve: BN254G1.self)
        let scalars = (0..<count).map { _ in Fr.random(using: &rng) }
        #expect(MSM.pippenger(bases: bases, scalars: scalars) == MSM.naive(bases: bases, scalars: scalars))
    }

    @Test func g2MatchesNaive() {
        var rng = SplitMix64(seed: 7)
        let bases = randomBases(100, &rng, curve: BN254G2.self)
        let scalars = (0..<100).map { _ in Fr.random(using: &rng) }
        #expect(MSM.pippenger(bases: bases, scalars: scalars) == MSM.naive(bases: bases, scalars: scalars))
    }

    @Test func edgeInputs() {
        var rng = SplitMix64(seed: 8)
        let bases = randomBases(200, &rng, curve: BN254G1.self)
        #expect(MSM.pippenger(bases: [AffinePoint<BN254G1>](), scalars: []).isInfinity)
        #expect(MSM.pippenger(bases: bases, scalars: [Fr](repeating: .zero, count: 200)).isInfinity)
        // Scalars r - 1 (= -1) and bits, as in range-check witnesses.
        let minusOne = -Fr.one
        let mixed: [Fr] = (0..<200).map { index in
            switch index % 5 {
            case 0: return .zero
            case 1: return .one
            case 2: return minusOne
            case 3: return Fr(UInt64(index))
            default: return Fr.random(using: &rng)
            }
        }
        #expect(MSM.pippenger(bases: bases, scalars: mixed) == MSM.naive(bases: bases, scalars: mixed))
        // Repeated points, and a point with its negation.
        let repeated = [AffinePoint<BN254G1>](repeating: bases[0], count: 50) + [-bases[0]]
        let scalars = (0..<51).map { _ in Fr.random(using: &rng) }
        #expect(MSM.pippenger(bases: repeated, scalars: scalars) == MSM.naive(bases: repeated, scalars: scalars))
        // Points at infinity among the bases.
        var withInfinity = bases
        withInfinity[3] = .infinity
        let random = (0..<200).map { _ in Fr.random(using: &rng) }
        #expect(MSM.pippenger(bases: withInfinity, scalars: random) == MSM.naive(bases: withInfinity, scalars: random))
        // All scalars r - 1: the sum of the negated bases.
        let all = [Fr](repeating: minusOne, count: 200)
        #expect(MSM.pippenger(bases: bases, scalars: all) == -bases.reduce(JacobianPoint<BN254G1>.infinity) { $0 + $1 })
    }

    @Test func fixedBaseTableMatchesScalarMultiplication() {
        var rng = SplitMix64(seed: 9)
        let table = FixedBaseTable(base: BN254G1.generator)
        let scalars = (0..<40).map { _ in Fr.random(using: &rng) } + [.zero, .one, -Fr.one]
        let products = table.multiplyAll(scalars)
        for (scalar, product) in zip(scalars, products) {
            #expect(product == (BN254G1.generator * scalar).affine)
        }
    }

    @Test func windowWidthGrowsWithSize() {
        #expect(MSM.windowBits(for: 10) == 3)
        #expect(MSM.windowBits(for: 1 << 16) == 13)
        #expect(MSM.windowBits(for: 1 << 20) <= 16)
    }
}
