import Curves
import Formats

/// `ptau prepare`: sections 12-15, as snarkjs's `powersoftau prepare phase2` computes them.
public enum PreparePhase2 {
    /// Progress: the section being computed and the fraction of all the work done.
    public typealias Progress = @Sendable (String, Double) -> Void

    /// Adds the Lagrange-basis points for every power k = 0...p (and p + 1 for tau G1, whose 2^(p+1) block uses the
    /// 2^(p+1) - 1 powers the file holds and the point at infinity for the last).
    public static func prepare(_ ptau: PowersOfTau, progress: Progress? = nil) -> PowersOfTau {
        let p = ptau.power
        // Work per block grows as 2^k k; the G2 section costs about three G1 sections.
        let blockWork = (0...(p + 1)).map { Double((1 << $0) * max($0, 1)) }
        let total = blockWork.reduce(0, +) + 5 * blockWork.prefix(p + 1).reduce(0, +)
        var done = 0.0
        func section<C>(_ name: String, _ powers: [AffinePoint<C>], blocks: Int, weight: Double) -> [AffinePoint<C>] {
            var output: [AffinePoint<C>] = []
            output.reserveCapacity((1 << (blocks + 1)) - 1)
            for k in 0...blocks {
                progress?("\(name) 2^\(k)", done / total)
                var block = Array(powers.prefix(1 << k))
                if block.count < 1 << k { block.append(.infinity) }
                output += LagrangeBasis.points(fromPowers: block[...], logSize: k)
                done += weight * blockWork[k]
            }
            return output
        }
        let tauG1 = section("tauG1", ptau.tauG1, blocks: p + 1, weight: 1)
        let tauG2 = section("tauG2", ptau.tauG2, blocks: p, weight: 3)
        let alphaTauG1 = section("alphaTauG1", ptau.alphaTauG1, blocks: p, weight: 1)
        let betaTauG1 = section("betaTauG1", ptau.betaTauG1, blocks: p, weight: 1)
        progress?("done", 1)
        var prepared = ptau
        prepared.lagrange = PowersOfTau.Lagrange(tauG1: tauG1, tauG2: tauG2, alphaTauG1: alphaTauG1, betaTauG1: betaTauG1)
        return prepared
    }
}
