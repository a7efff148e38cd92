import Algebra
import Curves

/// ffjavascript's uncompressed encoding, used in every transcript hash: big-endian standard-form coordinates,
/// G2 as x.c1, x.c0, y.c1, y.c0, the point at infinity as zeros.
public enum Uncompressed {
    public static func g1(_ point: G1Affine) -> [UInt8] {
        point.isInfinity ? [UInt8](repeating: 0, count: 64) : point.x.bigEndianBytes + point.y.bigEndianBytes
    }

    public static func g2(_ point: G2Affine) -> [UInt8] {
        point.isInfinity ? [UInt8](repeating: 0, count: 128)
            : point.x.c1.bigEndianBytes + point.x.c0.bigEndianBytes + point.y.c1.bigEndianBytes + point.y.c0.bigEndianBytes
    }
}

/// ffjavascript's compressed encoding (a phase-1 response hashes its points this way): x big-endian, 0x80 set in
/// the first byte when y is "negative" (above (p-1)/2, on c1 unless it is zero), 0x40 alone for infinity.
public enum Compressed {
    public static func g1(_ point: G1Affine) -> [UInt8] {
        if point.isInfinity { return [0x40] + [UInt8](repeating: 0, count: 31) }
        var bytes = point.x.bigEndianBytes
        if SnarkjsRandom.isNegative(point.y) { bytes[0] |= 0x80 }
        return bytes
    }

    public static func g2(_ point: G2Affine) -> [UInt8] {
        if point.isInfinity { return [0x40] + [UInt8](repeating: 0, count: 63) }
        var bytes = point.x.c1.bigEndianBytes + point.x.c0.bigEndianBytes
        if SnarkjsRandom.isNegative(point.y) { bytes[0] |= 0x80 }
        return bytes
    }
}
