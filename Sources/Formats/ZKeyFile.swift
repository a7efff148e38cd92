import Algebra
import Curves
import Groth16

/// snarkjs's Groth16 `.zkey` (version 1). Sections: 1 protocol, 2 header, 3 IC, 4 A/B coefficients,
/// 5 A, 6 B1, 7 B2, 8 C, 9 H, 10 contributions. Points are affine with coordinates in Montgomery form.
public enum ZKeyFile {
    /// Montgomery form of R, which turns a coefficient c into the stored c * R^2 mod r.
    static var frR: Fr { Fr(montgomeryLimbs: FrParameters.rSquared.0, FrParameters.rSquared.1, FrParameters.rSquared.2, FrParameters.rSquared.3) }

    public static func decode(_ bytes: [UInt8], file: String) throws(FormatError) -> ProvingKey {
        let container = try Iden3Container(bytes, file: file, magic: "zkey", versions: 1...1)
        var protocolSection = try container.reader(1, "protocol")
        let protocolID = try protocolSection.u32("protocol")
        guard protocolID == 1 else { throw protocolSection.error("protocol \(protocolID) is not Groth16 (1)") }

        var header = try container.reader(2, "header")
        guard try header.u32("n8q") == 32, try header.limbs("q") == FqParameters.modulusLimbs else {
            throw header.error("the base field is not BN254's")
        }
        guard try header.u32("n8r") == 32, try header.limbs("r") == FrParameters.modulusLimbs else {
            throw header.error("the scalar field is not BN254's")
        }
        let wireCount = Int(try header.u32("nVars"))
        let publicCount = Int(try header.u32("nPublic"))
        let domainSize = Int(try header.u32("domain size"))
        guard domainSize >= 2, domainSize.nonzeroBitCount == 1, domainSize <= 1 << Groth16.maximumDomainLogSize else {
            throw header.error("domain size \(domainSize) is not a power of two in 2...2^\(Groth16.maximumDomainLogSize)")
        }
        guard wireCount >= publicCount + 1 else { throw header.error("nVars \(wireCount) is below nPublic + 1 = \(publicCount + 1)") }
        // The verifying-key points are checked fully, G2 subgroup included.
        let alpha1 = try header.g1Montgomery("alpha1")
        let beta1 = try header.g1Montgomery("beta1")
        let beta2 = try header.g2Montgomery("beta2", checkSubgroup: true)
        let gamma2 = try header.g2Montgomery("gamma2", checkSubgroup: true)
        let delta1 = try header.g1Montgomery("delta1")
        let delta2 = try header.g2Montgomery("delta2", checkSubgroup: true)
        try container.finished(header, "2 (header)")

        let ic = try container.g1Points(3, "IC", count: publicCount + 1)

        var coefficientReader = try container.reader(4, "coefficients")
        let coefficientCount = try coefficientReader.count("coefficient count", minimumBytesEach: 44)
        guard coefficientReader.remaining == 44 * coefficientCount else {
            throw coefficientReader.error("section 4 holds \(coefficientReader.remaining) bytes for \(coefficientCount) coefficients of 44 bytes")
        }
        let toStandard = frR.inverse()!
        var coefficients: [MatrixEntry] = []
        coefficients.reserveCapacity(coefficientCount)
        for index in 0..<coefficientCount {
            let matrixID = try coefficientReader.u32("coefficient \(index) matrix")
            guard let matrix = MatrixEntry.Matrix(rawValue: matrixID) else {
                throw coefficientReader.error("coefficient \(index) names matrix \(matrixID); only 0 (A) and 1 (B) exist")
            }
            let constraint = Int(try coefficientReader.u32("coefficient \(index) constraint"))
            let wire = Int(try coefficientReader.u32("coefficient \(index) signal"))
            guard constraint < domainSize else { throw coefficientReader.error("coefficient \(index) row \(constraint) is outside the domain of \(domainSize)") }
            guard wire < wireCount else { throw coefficientReader.error("coefficient \(index) signal \(wire) is outside 0..<\(wireCount)") }
            let stored = try coefficientReader.limbs("coefficient \(index) value")
            guard isBelow(stored, FrParameters.modulusLimbs) else { throw coefficientReader.error("coefficient \(index) value is not below r") }
            // stored = c R^2 mod r, read as a Montgomery representative it is c R; one more R^-1 gives c.
            let value = Fr(montgomeryLimbs: stored.0, stored.1, stored.2, stored.3) * toStandard
            coefficients.append(MatrixEntry(matrix: matrix, constraint: constraint, wire: wire, value: value))
        }

        let a = try container.g1Points(5, "A", count: wireCount)
        let b1 = try container.g1Points(6, "B1", count: wireCount)
        let b2 = try container.g2Points(7, "B2", count: wireCount, checkSubgroup: false)
        let c = try container.g1Points(8, "C", count: wireCount - publicCount - 1)
        let h = try container.g1Points(9, "H", count: domainSize)
        var logSize = 0
        while (1 << logSize) < domainSize { logSize += 1 }
        let key = ProvingKey(
            publicCount: publicCount, wireCount: wireCount, domainLogSize: logSize, alpha1: alpha1, beta1: beta1,
            beta2: beta2, gamma2: gamma2, delta1: delta1, delta2: delta2, ic: ic, coefficients: coefficients,
            a: a, b1: b1, b2: b2, c: c, h: h)
        do { try key.validateShape() } catch { throw FormatError(file: file, problem: "\(error)") }
        return key
    }

    /// Writes sections 1-10, in `sectionOrder` (snarkjs's setup writes 1, 2, 4, 3, 9, 8, 5, 6, 7, 10; its
    /// contribute, 1-10). Section 10 is `contributions` when given (a circuit hash and phase-2 contributions);
    /// otherwise it records no contribution and a zero circuit hash (provers ignore it).
    public static func encode(_ key: ProvingKey, contributions section10: [UInt8]? = nil, sectionOrder: [UInt32] = Array(1...10)) -> [UInt8] {
        var protocolSection = BinaryWriter()
        protocolSection.u32(1)
        var header = BinaryWriter()
        header.u32(32)
        header.limbs(FqParameters.modulusLimbs)
        header.u32(32)
        header.limbs(FrParameters.modulusLimbs)
        header.u32(key.wireCount)
        header.u32(key.publicCount)
        header.u32(key.domainSize)
        header.g1Montgomery(key.alpha1)
        header.g1Montgomery(key.beta1)
        header.g2Montgomery(key.beta2)
        header.g2Montgomery(key.gamma2)
        header.g1Montgomery(key.delta1)
        header.g2Montgomery(key.delta2)
        let g1Section = BinaryWriter.g1Points
        var coefficients = BinaryWriter()
        coefficients.u32(key.coefficients.count)
        let toStored = frR
        for entry in key.coefficients {
            coefficients.u32(entry.matrix.rawValue)
            coefficients.u32(entry.constraint)
            coefficients.u32(entry.wire)
            coefficients.limbs((entry.value * toStored).montgomeryLimbs)
        }
        var contributions = BinaryWriter()
        contributions.bytes = [UInt8](repeating: 0, count: 64)
        contributions.u32(0)
        let bodies: [UInt32: [UInt8]] = [
            1: protocolSection.bytes, 2: header.bytes, 3: g1Section(key.ic), 4: coefficients.bytes,
            5: g1Section(key.a), 6: g1Section(key.b1), 7: BinaryWriter.g2Points(key.b2), 8: g1Section(key.c),
            9: g1Section(key.h), 10: section10 ?? contributions.bytes,
        ]
        precondition(sectionOrder.sorted() == Array(1...10), "a .zkey has sections 1-10, each once")
        return Iden3Container.write(magic: "zkey", version: 1, sections: sectionOrder.map { ($0, bodies[$0]!) })
    }

    /// Section 10's raw body (circuit hash, then the phase-2 contributions), for keys that carry a transcript.
    public static func contributionsSection(_ bytes: [UInt8], file: String) throws(FormatError) -> [UInt8] {
        let container = try Iden3Container(bytes, file: file, magic: "zkey", versions: 1...1)
        let reader = try container.reader(10, "contributions")
        return Array(bytes[reader.offset..<reader.end])
    }

    public static func read(_ path: String) throws(FormatError) -> ProvingKey { try decode(FileIO.read(path), file: path) }
    public static func write(_ key: ProvingKey, to path: String) throws(FormatError) { try FileIO.writeAtomically(encode(key), to: path) }
}
