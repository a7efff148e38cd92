import Algebra
import Polynomials
import Testing
import TestSupport

@Suite struct NTTTests {
    /// Horner evaluation, the oracle for the transforms.
    func evaluate(_ coefficients: [Fr], at point: Fr) -> Fr {
        coefficients.reversed().reduce(Fr.zero) { $0 * point + $1 }
    }

    @Test(arguments: [0, 1, 2, 3, 5, 8])
    func nttMatchesNaiveEvaluation(logSize: Int) {
        var rng = SplitMix64(seed: UInt64(100 + logSize))
        let domain = EvaluationDomain<Fr>(logSize: logSize)!
        let coefficients = (0..<domain.size).map { _ in Fr.random(using: &rng) }
        var values = coefficients
        domain.ntt(&values)
        for index in 0..<domain.size {
            #expect(values[index] == evaluate(coefficients, at: domain.generator.power(index)))
        }
    }

    @Test(arguments: [1, 4, 10, 14])
    func roundTrips(logSize: Int) {
        var rng = SplitMix64(seed: UInt64(200 + logSize))
        let domain = EvaluationDomain<Fr>(logSize: logSize)!
        let original = (0..<domain.size).map { _ in Fr.random(using: &rng) }
        var values = original
        domain.ntt(&values)
        #expect(values != original)
        domain.inverseNTT(&values)
        #expect(values == original)
        let shift = Fr.multiplicativeGenerator
        domain.cosetNTT(&values, shift: shift)
        domain.cosetInverseNTT(&values, shift: shift)
        #expect(values == original)
    }

    @Test func cosetNTTEvaluatesOnTheCoset() {
        var rng = SplitMix64(seed: 300)
        let domain = EvaluationDomain<Fr>(logSize: 4)!
        let coefficients = (0..<16).map { _ in Fr.random(using: &rng) }
        let shift = EvaluationDomain<Fr>(logSize: 5)!.generator
        var values = coefficients
        domain.cosetNTT(&values, shift: shift)
        for index in 0..<16 {
            #expect(values[index] == evaluate(coefficients, at: shift * domain.generator.power(index)))
        }
    }

    @Test func domainBounds() {
        // 2^28 is the largest subgroup; building that domain would allocate gigabytes of twiddles.
        #expect(Fr.rootOfUnity(logSize: 28) != nil)
        #expect(EvaluationDomain<Fr>(logSize: 29) == nil)
        #expect(EvaluationDomain<Fr>(atLeast: 5)!.size == 8)
        #expect(EvaluationDomain<Fr>(atLeast: 1)!.size == 1)
        let domain = EvaluationDomain<Fr>(logSize: 6)!
        #expect(domain.generator.power(64) == .one)
        #expect(domain.generator.power(32) == -Fr.one)
    }
}
