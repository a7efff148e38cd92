import Algebra
import Curves

/// A bounds-checked little-endian reader over a byte array; every read past the end throws.
struct BinaryReader {
    let bytes: [UInt8]
    let file: String
    var offset: Int
    let end: Int

    init(_ bytes: [UInt8], file: String, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.file = file
        offset = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var remaining: Int { end - offset }

    func error(_ problem: String) -> FormatError { FormatError(file: file, problem: problem) }

    mutating func bytes(_ count: Int, _ what: @autoclosure () -> String) throws(FormatError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw error("truncated: \(what()) needs \(count) bytes at offset \(offset), \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u32(_ what: @autoclosure () -> String) throws(FormatError) -> UInt32 {
        let slice = try bytes(4, what())
        return slice.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64(_ what: @autoclosure () -> String) throws(FormatError) -> UInt64 {
        let slice = try bytes(8, what())
        return slice.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A u32 count, checked against the bytes left: `count * minimumBytesEach` must fit.
    mutating func count(_ what: @autoclosure () -> String, minimumBytesEach: Int) throws(FormatError) -> Int {
        let value = Int(try u32(what()))
        guard value.multipliedReportingOverflow(by: minimumBytesEach).partialValue <= remaining else {
            throw error("\(what()) is \(value), more than the \(remaining) remaining bytes can hold")
        }
        return value
    }

    /// Four little-endian limbs from 32 bytes.
    mutating func limbs(_ what: @autoclosure () -> String) throws(FormatError) -> Limbs4 {
        guard remaining >= 32 else {
            throw error("truncated: \(what()) needs 32 bytes at offset \(offset), \(remaining) left")
        }
        defer { offset += 32 }
        return bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + offset
            return (UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)),
                    UInt64(littleEndian: (base + 8).loadUnaligned(as: UInt64.self)),
                    UInt64(littleEndian: (base + 16).loadUnaligned(as: UInt64.self)),
                    UInt64(littleEndian: (base + 24).loadUnaligned(as: UInt64.self)))
        }
    }

    /// A scalar-field element in standard form; values >= r are rejected, never reduced.
    mutating func fr(_ what: @autoclosure () -> String) throws(FormatError) -> Fr {
        let value = try limbs(what())
        guard isBelow(value, FrParameters.modulusLimbs) else { throw error("\(what()) is not below the scalar field modulus r") }
        return Fr(canonicalLimbs: value)
    }

    /// A base-field coordinate in Montgomery form (as .zkey stores points).
    mutating func fqMontgomery(_ what: @autoclosure () -> String) throws(FormatError) -> Fq {
        let value = try limbs(what())
        guard isBelow(value, FqParameters.modulusLimbs) else { throw error("\(what()) is not below the base field modulus p") }
        return Fq(montgomeryLimbs: value.0, value.1, value.2, value.3)
    }

    mutating func g1Montgomery(_ what: @autoclosure () -> String) throws(FormatError) -> G1Affine {
        let x = try fqMontgomery("\(what()) x"), y = try fqMontgomery("\(what()) y")
        if x.isZero && y.isZero { return .infinity }
        let point = G1Affine(uncheckedX: x, y: y)
        guard point.isOnCurve else { throw error("\(what()) is not on the G1 curve") }
        return point
    }

    /// A G2 point (x.c0, x.c1, y.c0, y.c1 in Montgomery form); the subgroup check is optional
    /// because it costs ~0.1 ms per point and prover-only points cannot hurt a verifier.
    mutating func g2Montgomery(_ what: @autoclosure () -> String, checkSubgroup: Bool) throws(FormatError) -> G2Affine {
        let x = Fq2(try fqMontgomery("\(what()) x.c0"), try fqMontgomery("\(what()) x.c1"))
        let y = Fq2(try fqMontgomery("\(what()) y.c0"), try fqMontgomery("\(what()) y.c1"))
        if x.isZero && y.isZero { return .infinity }
        let point = G2Affine(uncheckedX: x, y: y)
        guard point.isOnCurve else { throw error("\(what()) is not on the G2 twist") }
        if checkSubgroup && !point.isInSubgroup { throw error("\(what()) is not in the G2 subgroup of order r") }
        return point
    }
}

func isBelow(_ value: Limbs4, _ modulus: Limbs4) -> Bool {
    if value.3 != modulus.3 { return value.3 < modulus.3 }
    if value.2 != modulus.2 { return value.2 < modulus.2 }
    if value.1 != modulus.1 { return value.1 < modulus.1 }
    return value.0 < modulus.0
}

/// A little-endian byte writer.
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) } }
    mutating func u32(_ value: Int) { u32(UInt32(value)) }
    mutating func u64(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }

    mutating func limbs(_ value: Limbs4) {
        for word in [value.0, value.1, value.2, value.3] { u64(word) }
    }

    mutating func fr(_ value: Fr) { limbs(value.canonicalLimbs) }
    mutating func fqMontgomery(_ value: Fq) { limbs(value.montgomeryLimbs) }

    mutating func g1Montgomery(_ point: G1Affine) {
        if point.isInfinity { bytes += [UInt8](repeating: 0, count: 64); return }
        fqMontgomery(point.x)
        fqMontgomery(point.y)
    }

    mutating func g2Montgomery(_ point: G2Affine) {
        if point.isInfinity { bytes += [UInt8](repeating: 0, count: 128); return }
        for value in [point.x.c0, point.x.c1, point.y.c0, point.y.c1] { fqMontgomery(value) }
    }
}

/// The iden3 binary container: magic, u32 version, u32 section count, then sections
/// {u32 type, u64 size, body}. Unknown sections are skipped; a repeated known section is an error.
struct Iden3Container {
    var sections: [UInt32: Range<Int>] = [:]
    let bytes: [UInt8]
    let file: String

    init(_ bytes: [UInt8], file: String, magic: String, versions: ClosedRange<UInt32>) throws(FormatError) {
        self.bytes = bytes
        self.file = file
        var reader = BinaryReader(bytes, file: file)
        let found = try reader.bytes(4, "magic")
        guard Array(found) == Array(magic.utf8) else {
            throw FormatError(file: file, problem: "not a .\(magic) file (magic is \(Self.printable(found)), expected '\(magic)')")
        }
        let version = try reader.u32("version")
        guard versions.contains(version) else {
            throw FormatError(file: file, problem: "unsupported .\(magic) version \(version) (supported: \(versions.lowerBound)...\(versions.upperBound))")
        }
        let sectionCount = try reader.count("section count", minimumBytesEach: 12)
        for _ in 0..<sectionCount {
            let type = try reader.u32("section type")
            let size = try reader.u64("section \(type) size")
            guard size <= UInt64(reader.remaining) else {
                throw FormatError(file: file, problem: "section \(type) claims \(size) bytes but only \(reader.remaining) remain")
            }
            let start = reader.offset
            _ = try reader.bytes(Int(size), "section \(type)")
            guard sections[type] == nil else {
                throw FormatError(file: file, problem: "section \(type) appears twice")
            }
            sections[type] = start..<(start + Int(size))
        }
        guard reader.remaining == 0 else {
            throw FormatError(file: file, problem: "\(reader.remaining) unexpected bytes after the last section")
        }
    }

    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        "'" + String(bytes.map { (32..<127).contains($0) ? Character(UnicodeScalar($0)) : "?" }) + "'"
    }

    func reader(_ type: UInt32, _ name: String) throws(FormatError) -> BinaryReader {
        guard let range = sections[type] else { throw FormatError(file: file, problem: "missing section \(type) (\(name))") }
        return BinaryReader(bytes, file: file, range: range)
    }

    /// Throws unless the section was read to its end.
    func finished(_ reader: BinaryReader, _ name: String) throws(FormatError) {
        guard reader.remaining == 0 else {
            throw FormatError(file: file, problem: "section \(name) has \(reader.remaining) unexpected trailing bytes")
        }
    }

    static func write(magic: String, version: UInt32, sections: [(UInt32, [UInt8])]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes = Array(magic.utf8)
        writer.u32(version)
        writer.u32(sections.count)
        for (type, body) in sections {
            writer.u32(type)
            writer.u64(UInt64(body.count))
            writer.bytes += body
        }
        return writer.bytes
    }
}

extension Iden3Container {
    /// A section of exactly `count` G1 points; `context` ends the size error (for example " for power 12").
    func g1Points(_ type: UInt32, _ name: String, count: Int, context: String = "") throws(FormatError) -> [G1Affine] {
        var reader = try pointSection(type, name, count: count, bytesEach: 64, group: "G1", context: context)
        var points: [G1Affine] = []
        points.reserveCapacity(count)
        for index in 0..<count { points.append(try reader.g1Montgomery("\(name)[\(index)]")) }
        return points
    }

    /// A section of exactly `count` G2 points, subgroup-checked when asked.
    func g2Points(_ type: UInt32, _ name: String, count: Int, checkSubgroup: Bool, context: String = "") throws(FormatError) -> [G2Affine] {
        var reader = try pointSection(type, name, count: count, bytesEach: 128, group: "G2", context: context)
        var points: [G2Affine] = []
        points.reserveCapacity(count)
        for index in 0..<count { points.append(try reader.g2Montgomery("\(name)[\(index)]", checkSubgroup: checkSubgroup)) }
        return points
    }

    private func pointSection(_ type: UInt32, _ name: String, count: Int, bytesEach: Int, group: String, context: String) throws(FormatError) -> BinaryReader {
        let reader = try self.reader(type, name)
        guard reader.remaining == bytesEach * count else {
            throw reader.error("section \(type) (\(name)) has \(reader.remaining) bytes, expected \(count) \(group) points (\(bytesEach * count) bytes)\(context)")
        }
        return reader
    }
}

extension BinaryWriter {
    /// A section body of G1 points (Montgomery form, infinity as zeros).
    static func g1Points(_ points: [G1Affine]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes.reserveCapacity(64 * points.count)
        for point in points { writer.g1Montgomery(point) }
        return writer.bytes
    }

    static func g2Points(_ points: [G2Affine]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes.reserveCapacity(128 * points.count)
        for point in points { writer.g2Montgomery(point) }
        return writer.bytes
    }
}
