import Algebra

/// Searches a satisfied system for private wires that the constraints leave free.
///
/// Each audited wire is perturbed alone (by one and by a random amount); then, for every linear constraint,
/// pairs of audited wires in it are perturbed together with the second move compensating the first, the
/// way a forged quotient hides behind a forged remainder. A move that leaves every constraint satisfied
/// is reported. This finds first-order freedom; it does not prove uniqueness.
public enum UnderconstraintAudit {
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public var wire: Int
        /// The wire moved with it to keep a linear constraint satisfied, if any.
        public var partner: Int?

        public init(wire: Int, partner: Int?) {
            self.wire = wire
            self.partner = partner
        }

        public var description: String {
            partner.map { "wires \(wire) and \($0) can move together" } ?? "wire \(wire) can move freely"
        }
    }

    public struct Report: Sendable {
        public var findings: [Finding]
        public var wiresChecked: Int
        public var pairsChecked: Int
    }

    /// Audits the private wires that are not inputs (the intermediates), or `wires` when given.
    /// `pairLimit` caps the compensating pairs tried per linear constraint.
    public static func run(
        _ r1cs: R1CS, witness: [Fr], wires: Range<Int>? = nil, pairLimit: Int = 256,
        random: inout some RandomNumberGenerator
    ) throws(R1CS.WitnessError) -> Report {
        try r1cs.checkSatisfied(by: witness)
        let audited = wires ?? (1 + r1cs.publicCount + r1cs.privateInputCount)..<r1cs.wireCount
        var touching = [[Int]](repeating: [], count: r1cs.wireCount)
        for (index, constraint) in r1cs.constraints.enumerated() {
            var seen = Set<Int>()
            for term in constraint.a.terms + constraint.b.terms + constraint.c.terms where seen.insert(term.wire).inserted {
                touching[term.wire].append(index)
            }
        }
        var assignment = witness
        func stillSatisfied(_ constraints: some Sequence<Int>) -> Bool {
            for index in constraints {
                let constraint = r1cs.constraints[index]
                if constraint.a.evaluate(assignment) * constraint.b.evaluate(assignment) != constraint.c.evaluate(assignment) {
                    return false
                }
            }
            return true
        }
        var findings: [Finding] = []
        for wire in audited {
            for delta in [Fr.one, Fr.random(using: &random)] {
                assignment[wire] += delta
                let free = stillSatisfied(touching[wire])
                assignment[wire] = witness[wire]
                if free {
                    findings.append(Finding(wire: wire, partner: nil))
                    break
                }
            }
        }
        var pairsChecked = 0
        var reported = Set(findings.map(\.wire))
        for constraint in r1cs.constraints {
            // A linear constraint has A or B equal to a constant; fold it into one list of coefficients.
            let linear: [LinearCombination.Term]
            if let factor = constantValue(constraint.b) {
                linear = (constraint.a * factor - constraint.c).terms
            } else if let factor = constantValue(constraint.a) {
                linear = (constraint.b * factor - constraint.c).terms
            } else {
                continue
            }
            let candidates = linear.filter { audited.contains($0.wire) }
            guard candidates.count >= 2 else { continue }
            var pairs: [(LinearCombination.Term, LinearCombination.Term)] = []
            for i in candidates.indices {
                for j in candidates.indices where j > i { pairs.append((candidates[i], candidates[j])) }
            }
            if pairs.count > pairLimit {
                pairs.shuffle(using: &random)
                pairs.removeLast(pairs.count - pairLimit)
            }
            for (first, second) in pairs {
                pairsChecked += 1
                let delta = Fr.random(using: &random)
                assignment[first.wire] += delta
                assignment[second.wire] -= delta * first.coefficient * second.coefficient.inverse()!
                let free = stillSatisfied(Set(touching[first.wire] + touching[second.wire]))
                assignment[first.wire] = witness[first.wire]
                assignment[second.wire] = witness[second.wire]
                if free && !reported.contains(first.wire) {
                    findings.append(Finding(wire: first.wire, partner: second.wire))
                    reported.insert(first.wire)
                }
            }
        }
        return Report(findings: findings, wiresChecked: audited.count, pairsChecked: pairsChecked)
    }

    private static func constantValue(_ combination: LinearCombination) -> Fr? {
        if combination.terms.isEmpty { return .zero }
        if combination.terms.count == 1 && combination.terms[0].wire == 0 { return combination.terms[0].coefficient }
        return nil
    }
}
