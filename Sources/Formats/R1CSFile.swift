import Algebra
import ConstraintSystem

/// circom's `.r1cs` (version 1): header, constraints (standard-form coefficients), wire-to-label map.
/// Terms may come in any order (circom does not sort them); repeated wires add up.
public enum R1CSFile {
    static let headerSize = 64

    /// One constraint's terms exactly as the file lists them (order, repeats and zero coefficients kept), for
    /// tools whose output follows the file: snarkjs's setup writes its coefficients in this order.
    public struct FileOrderConstraint: Sendable {
        public var a: [LinearCombination.Term]
        public var b: [LinearCombination.Term]
        public var c: [LinearCombination.Term]

        public init(a: [LinearCombination.Term], b: [LinearCombination.Term], c: [LinearCombination.Term]) {
            self.a = a; self.b = b; self.c = c
        }
    }

    public static func decode(_ bytes: [UInt8], file: String) throws(FormatError) -> R1CS {
        try decodeKeepingFileOrder(bytes, file: file).r1cs
    }

    public static func decodeKeepingFileOrder(_ bytes: [UInt8], file: String) throws(FormatError) -> (r1cs: R1CS, fileOrder: [FileOrderConstraint]) {
        let container = try Iden3Container(bytes, file: file, magic: "r1cs", versions: 1...1)
        var header = try container.reader(1, "header")
        let fieldSize = try header.u32("field size")
        guard fieldSize == 32 else { throw header.error("field size is \(fieldSize) bytes; only BN254's 32-byte scalar field is supported") }
        let prime = try header.limbs("prime")
        guard prime == FrParameters.modulusLimbs else { throw header.error("the prime is not BN254's scalar field order r") }
        let wireCount = Int(try header.u32("wire count"))
        let outputs = Int(try header.u32("public output count"))
        let inputs = Int(try header.u32("public input count"))
        let privateInputs = Int(try header.u32("private input count"))
        let labelCount = try header.u64("label count")
        let constraintCount = Int(try header.u32("constraint count"))
        try container.finished(header, "1 (header)")
        guard wireCount >= 1 + outputs + inputs + privateInputs else {
            throw header.error("\(wireCount) wires cannot hold 1 + \(outputs) outputs + \(inputs) inputs + \(privateInputs) private inputs")
        }
        guard labelCount >= UInt64(wireCount) else { throw header.error("label count \(labelCount) is below the wire count \(wireCount)") }

        var body = try container.reader(2, "constraints")
        guard constraintCount <= body.remaining / 12 else {
            throw body.error("\(constraintCount) constraints cannot fit in a \(body.remaining)-byte section")
        }
        var constraints: [Constraint] = []
        var fileOrder: [FileOrderConstraint] = []
        constraints.reserveCapacity(constraintCount)
        fileOrder.reserveCapacity(constraintCount)
        for index in 0..<constraintCount {
            var parts: [[LinearCombination.Term]] = []
            for part in ["A", "B", "C"] {
                let termCount = try body.count("constraint \(index) \(part) term count", minimumBytesEach: 36)
                var terms: [LinearCombination.Term] = []
                terms.reserveCapacity(termCount)
                for _ in 0..<termCount {
                    let wire = Int(try body.u32("wire id"))
                    guard wire < wireCount else { throw body.error("constraint \(index) \(part) refers to wire \(wire) of \(wireCount)") }
                    terms.append(.init(wire: wire, coefficient: try body.fr("constraint \(index) \(part) coefficient")))
                }
                parts.append(terms)
            }
            constraints.append(Constraint(a: LinearCombination(parts[0]), b: LinearCombination(parts[1]), c: LinearCombination(parts[2])))
            fileOrder.append(FileOrderConstraint(a: parts[0], b: parts[1], c: parts[2]))
        }
        try container.finished(body, "2 (constraints)")

        var labels: [UInt64]? = nil
        if container.sections[3] != nil {
            var map = try container.reader(3, "wire-to-label map")
            guard map.remaining == 8 * wireCount else {
                throw map.error("wire-to-label map has \(map.remaining) bytes, expected \(8 * wireCount)")
            }
            labels = try (0..<wireCount).map { (_: Int) throws(FormatError) -> UInt64 in try map.u64("label") }
        }
        let r1cs = R1CS(publicOutputCount: outputs, publicInputCount: inputs, privateInputCount: privateInputs,
                        wireCount: wireCount, constraints: constraints, labels: labels)
        return (r1cs, fileOrder)
    }

    public static func encode(_ r1cs: R1CS) -> [UInt8] {
        var header = BinaryWriter()
        header.u32(32)
        header.limbs(FrParameters.modulusLimbs)
        header.u32(r1cs.wireCount)
        header.u32(r1cs.publicOutputCount)
        header.u32(r1cs.publicInputCount)
        header.u32(r1cs.privateInputCount)
        header.u64(UInt64(r1cs.labels.max().map { max(Int($0) + 1, r1cs.wireCount) } ?? r1cs.wireCount))
        header.u32(r1cs.constraints.count)
        var body = BinaryWriter()
        for constraint in r1cs.constraints {
            for combination in [constraint.a, constraint.b, constraint.c] {
                body.u32(combination.terms.count)
                for term in combination.terms {
                    body.u32(term.wire)
                    body.fr(term.coefficient)
                }
            }
        }
        var map = BinaryWriter()
        for label in r1cs.labels { map.u64(label) }
        return Iden3Container.write(magic: "r1cs", version: 1, sections: [(1, header.bytes), (2, body.bytes), (3, map.bytes)])
    }

    public static func read(_ path: String) throws(FormatError) -> R1CS { try decode(FileIO.read(path), file: path) }
    public static func write(_ r1cs: R1CS, to path: String) throws(FormatError) { try FileIO.writeAtomically(encode(r1cs), to: path) }
}

/// snarkjs's `.wtns` (version 2): the full witness in standard form. Values >= r are rejected.
public enum WitnessFile {
    public static func decode(_ bytes: [UInt8], file: String) throws(FormatError) -> [Fr] {
        let container = try Iden3Container(bytes, file: file, magic: "wtns", versions: 2...2)
        var header = try container.reader(1, "header")
        let fieldSize = try header.u32("field size")
        guard fieldSize == 32 else { throw header.error("field size is \(fieldSize) bytes; only BN254's 32-byte scalar field is supported") }
        guard try header.limbs("prime") == FrParameters.modulusLimbs else {
            throw header.error("the prime is not BN254's scalar field order r")
        }
        let count = Int(try header.u32("witness count"))
        try container.finished(header, "1 (header)")
        var values = try container.reader(2, "values")
        guard values.remaining == 32 * count else {
            throw values.error("the header announces \(count) values (\(32 * count) bytes) but section 2 has \(values.remaining) bytes")
        }
        let witness = try (0..<count).map { (index: Int) throws(FormatError) -> Fr in try values.fr("witness value \(index)") }
        guard witness.first == .one else { throw values.error("witness value 0 must be 1 (the constant wire)") }
        return witness
    }

    public static func encode(_ witness: [Fr]) -> [UInt8] {
        var header = BinaryWriter()
        header.u32(32)
        header.limbs(FrParameters.modulusLimbs)
        header.u32(witness.count)
        var values = BinaryWriter()
        for value in witness { values.fr(value) }
        return Iden3Container.write(magic: "wtns", version: 2, sections: [(1, header.bytes), (2, values.bytes)])
    }

    public static func read(_ path: String) throws(FormatError) -> [Fr] { try decode(FileIO.read(path), file: path) }
    public static func write(_ witness: [Fr], to path: String) throws(FormatError) { try FileIO.writeAtomically(encode(witness), to: path) }
}
