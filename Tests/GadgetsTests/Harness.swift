import Algebra
import BigNum
import ConstraintSystem
import Gadgets
import Testing
import TestSupport

/// A built gadget circuit whose witness a test can forge, addressing wires by the builder's variables.
struct Circuit {
    let r1cs: R1CS
    var witness: [Fr]
    let positions: [Int]

    init(_ builder: ConstraintSystemBuilder) {
        let (r1cs, witness) = builder.build()
        self.r1cs = r1cs
        self.witness = witness!
        positions = builder.wirePositions()
    }

    subscript(variable: Variable) -> Fr {
        get { witness[positions[variable.id]] }
        set { witness[positions[variable.id]] = newValue }
    }

    subscript(id: Int) -> Fr {
        get { witness[positions[id]] }
        set { witness[positions[id]] = newValue }
    }

    /// Writes the low bits of `value`'s canonical representative into the bit wires `ids` (least significant first),
    /// the natural choice of a prover forging a decomposition.
    mutating func setBits(_ ids: Range<Int>, to value: Fr) {
        let canonical = value.canonical
        for (offset, id) in ids.enumerated() { self[id] = canonical.bit(offset) ? .one : .zero }
    }

    var isSatisfied: Bool { r1cs.isSatisfied(by: witness) }

    /// No first-order freedom in any intermediate wire (inputs are the prover's to choose).
    func expectNoFreeWires(sourceLocation: SourceLocation = #_sourceLocation) throws {
        var random = SplitMix64(seed: 99)
        let report = try UnderconstraintAudit.run(r1cs, witness: witness, random: &random)
        #expect(report.wiresChecked > 0, sourceLocation: sourceLocation)
        #expect(report.findings.isEmpty, "free wires: \(report.findings)", sourceLocation: sourceLocation)
    }
}

/// Signed field element of an Int (test-side, independent of Fr(signed:)).
func field(_ value: Int) -> Fr {
    value >= 0 ? Fr(UInt64(value)) : Fr.zero - Fr(UInt64(-value))
}

/// floor(a / 2^s) computed with BigInt, independent of the shift-based semantics.
func floorDivide(_ a: Int, _ divisor: Int) -> Int {
    let quotient = BigInt(a) / BigInt(divisor)
    let remainder = BigInt(a) - quotient * BigInt(divisor)
    return quotient.intValue! - (remainder.isNegative ? 1 : 0)
}
