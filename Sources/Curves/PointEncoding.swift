import Algebra
import BigNum

/// Why a point was rejected. Every decoder in this module throws one of these; none wraps or traps.
public enum PointDecodingError: Error, Equatable, CustomStringConvertible {
    case coordinate(FieldEncodingError)
    case notOnCurve(group: String)
    case notInSubgroup
    case malformed(String)

    public var description: String {
        switch self {
        case let .coordinate(error): return "bad coordinate: \(error)"
        case let .notOnCurve(group): return "\(group) point is not on the curve"
        case .notInSubgroup: return "G2 point is on the twist but not in the order-r subgroup"
        case let .malformed(message): return message
        }
    }
}

extension AffinePoint where Curve == BN254G1 {
    /// A G1 point from coordinates; checks the curve equation (G1 has cofactor 1).
    public init(checkedX x: Fq, y: Fq) throws(PointDecodingError) {
        self.init(uncheckedX: x, y: y)
        guard isOnCurve else { throw .notOnCurve(group: "G1") }
    }

    /// EIP-196 encoding: 64 bytes, x then y, big-endian; (0, 0) is the point at infinity.
    public init(ethereumBytes bytes: some Collection<UInt8>) throws(PointDecodingError) {
        let array = Array(bytes)
        guard array.count == 64 else { throw .malformed("G1 point must be 64 bytes, got \(array.count)") }
        let x: Fq, y: Fq
        do {
            x = try Fq(bigEndian: array[0..<32])
            y = try Fq(bigEndian: array[32..<64])
        } catch { throw .coordinate(error) }
        if x.isZero && y.isZero { self = .infinity; return }
        try self.init(checkedX: x, y: y)
    }

    public var ethereumBytes: [UInt8] {
        isInfinity ? [UInt8](repeating: 0, count: 64) : x.bigEndianBytes + y.bigEndianBytes
    }

    /// snarkjs JSON form: ["x", "y", "1"], or ["0", "1", "0"] for infinity.
    public init(snarkjs strings: [String]) throws(PointDecodingError) {
        guard strings.count == 3 else { throw .malformed("G1 point must have 3 coordinates, got \(strings.count)") }
        let x: Fq, y: Fq, z: Fq
        do {
            x = try Fq(decimal: strings[0])
            y = try Fq(decimal: strings[1])
            z = try Fq(decimal: strings[2])
        } catch { throw .coordinate(error) }
        if z.isZero { self = .infinity; return }
        guard z == .one else { throw .malformed("G1 point's third coordinate must be 1 or 0, got \(strings[2])") }
        try self.init(checkedX: x, y: y)
    }

    public var snarkjs: [String] {
        isInfinity ? ["0", "1", "0"] : [x.decimal, y.decimal, "1"]
    }
}

extension AffinePoint where Curve == BN254G2 {
    /// A G2 point from coordinates; checks the twist equation and subgroup membership.
    public init(checkedX x: Fq2, y: Fq2) throws(PointDecodingError) {
        self.init(uncheckedX: x, y: y)
        guard isOnCurve else { throw .notOnCurve(group: "G2") }
        guard isInSubgroup else { throw .notInSubgroup }
    }

    /// EIP-197 encoding: 128 bytes x.c1, x.c0, y.c1, y.c0, big-endian (imaginary part first); zeros are infinity.
    public init(ethereumBytes bytes: some Collection<UInt8>) throws(PointDecodingError) {
        let array = Array(bytes)
        guard array.count == 128 else { throw .malformed("G2 point must be 128 bytes, got \(array.count)") }
        let words: [Fq]
        do {
            words = try (0..<4).map { (index: Int) throws(FieldEncodingError) -> Fq in
                try Fq(bigEndian: array[(32 * index)..<(32 * index + 32)])
            }
        } catch { throw .coordinate(error) }
        if words.allSatisfy(\.isZero) { self = .infinity; return }
        try self.init(checkedX: Fq2(words[1], words[0]), y: Fq2(words[3], words[2]))
    }

    public var ethereumBytes: [UInt8] {
        if isInfinity { return [UInt8](repeating: 0, count: 128) }
        return x.c1.bigEndianBytes + x.c0.bigEndianBytes + y.c1.bigEndianBytes + y.c0.bigEndianBytes
    }

    /// snarkjs JSON form: [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]; [["0","0"],["1","0"],["0","0"]] is infinity.
    public init(snarkjs strings: [[String]]) throws(PointDecodingError) {
        guard strings.count == 3, strings.allSatisfy({ $0.count == 2 }) else {
            throw .malformed("G2 point must be 3 pairs of coordinates")
        }
        let values: [Fq2]
        do {
            values = try strings.map { (pair: [String]) throws(FieldEncodingError) -> Fq2 in
                Fq2(try Fq(decimal: pair[0]), try Fq(decimal: pair[1]))
            }
        } catch { throw .coordinate(error) }
        if values[2].isZero { self = .infinity; return }
        guard values[2] == .one else { throw .malformed("G2 point's third coordinate must be [1, 0] or [0, 0]") }
        try self.init(checkedX: values[0], y: values[1])
    }

    public var snarkjs: [[String]] {
        if isInfinity { return [["0", "0"], ["1", "0"], ["0", "0"]] }
        return [[x.c0.decimal, x.c1.decimal], [y.c0.decimal, y.c1.decimal], ["1", "0"]]
    }
}
