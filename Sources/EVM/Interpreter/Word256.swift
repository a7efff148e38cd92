import BigNum

/// An EVM stack word: 256 bits, unsigned, arithmetic modulo 2^256; limbs least significant first.
/// The cheap operations are native; division, the modular forms and EXP go through GMP.
public struct Word256: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    public init(_ l0: UInt64, _ l1: UInt64 = 0, _ l2: UInt64 = 0, _ l3: UInt64 = 0) {
        (self.l0, self.l1, self.l2, self.l3) = (l0, l1, l2, l3)
    }

    public static let zero = Word256(0)
    public static let one = Word256(1)
    public static let max = Word256(.max, .max, .max, .max)

    /// Up to 32 big-endian bytes, zero-extended on the left.
    public init(bigEndian bytes: some Collection<UInt8>) {
        precondition(bytes.count <= 32, "an EVM word is 32 bytes")
        var limbs: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.reversed().enumerated() { limbs[index / 8] |= UInt64(byte) << (8 * (index % 8)) }
        self.init(limbs[0], limbs[1], limbs[2], limbs[3])
    }

    /// `value` modulo 2^256 (a negative value wraps, as two's complement).
    public init(_ value: BigInt) {
        var reduced = value.modulo(Word256.modulus)
        if reduced.isNegative { reduced += Word256.modulus }
        let limbs = reduced.limbs(count: 4)!
        self.init(limbs[0], limbs[1], limbs[2], limbs[3])
    }

    static let modulus = BigInt(1) << 256

    public var limbs: [UInt64] { [l0, l1, l2, l3] }
    public var bigInt: BigInt { BigInt(limbs: limbs) }
    /// Two's-complement value in [-2^255, 2^255).
    public var signedBigInt: BigInt { isNegative ? bigInt - Word256.modulus : bigInt }
    public var isZero: Bool { l0 | l1 | l2 | l3 == 0 }
    public var isNegative: Bool { l3 >> 63 == 1 }
    public var bigEndianBytes: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        for (index, limb) in [l3, l2, l1, l0].enumerated() {
            for byte in 0..<8 { bytes[8 * index + byte] = UInt8(truncatingIfNeeded: limb >> (56 - 8 * byte)) }
        }
        return bytes
    }

    /// The value as an Int when it is below 2^32 (memory offsets and sizes; larger ones run out of gas).
    public var smallValue: Int? { l1 | l2 | l3 == 0 && l0 <= UInt64(UInt32.max) ? Int(l0) : nil }
    public var description: String { "0x" + bigInt.toString(radix: 16) }

    public static func < (lhs: Word256, rhs: Word256) -> Bool {
        (lhs.l3, lhs.l2, lhs.l1, lhs.l0) < (rhs.l3, rhs.l2, rhs.l1, rhs.l0)
    }

    public static func signedLess(_ lhs: Word256, _ rhs: Word256) -> Bool {
        lhs.isNegative != rhs.isNegative ? lhs.isNegative : lhs < rhs
    }

    public static func &+ (lhs: Word256, rhs: Word256) -> Word256 {
        let (s0, c0) = lhs.l0.addingReportingOverflow(rhs.l0)
        let (t1, c1a) = lhs.l1.addingReportingOverflow(rhs.l1)
        let (s1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = lhs.l2.addingReportingOverflow(rhs.l2)
        let (s2, c2b) = t2.addingReportingOverflow(c1a || c1b ? 1 : 0)
        let s3 = lhs.l3 &+ rhs.l3 &+ (c2a || c2b ? 1 : 0)
        return Word256(s0, s1, s2, s3)
    }

    public static func &- (lhs: Word256, rhs: Word256) -> Word256 { lhs &+ (~rhs &+ .one) }

    public static func &* (lhs: Word256, rhs: Word256) -> Word256 {
        let a = lhs.limbs, b = rhs.limbs
        var result: [UInt64] = [0, 0, 0, 0]
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<(4 - i) {
                let (high, low) = a[i].multipliedFullWidth(by: b[j])
                let (sum1, overflow1) = result[i + j].addingReportingOverflow(low)
                let (sum2, overflow2) = sum1.addingReportingOverflow(carry)
                result[i + j] = sum2
                carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            }
        }
        return Word256(result[0], result[1], result[2], result[3])
    }

    public static prefix func ~ (value: Word256) -> Word256 { Word256(~value.l0, ~value.l1, ~value.l2, ~value.l3) }
    public static func & (lhs: Word256, rhs: Word256) -> Word256 {
        Word256(lhs.l0 & rhs.l0, lhs.l1 & rhs.l1, lhs.l2 & rhs.l2, lhs.l3 & rhs.l3)
    }
    public static func | (lhs: Word256, rhs: Word256) -> Word256 {
        Word256(lhs.l0 | rhs.l0, lhs.l1 | rhs.l1, lhs.l2 | rhs.l2, lhs.l3 | rhs.l3)
    }
    public static func ^ (lhs: Word256, rhs: Word256) -> Word256 {
        Word256(lhs.l0 ^ rhs.l0, lhs.l1 ^ rhs.l1, lhs.l2 ^ rhs.l2, lhs.l3 ^ rhs.l3)
    }

    /// SHL: shifts of 256 or more give zero.
    public func shiftedLeft(by shift: Word256) -> Word256 {
        guard let count = shift.smallValue, count < 256 else { return .zero }
        var result: [UInt64] = [0, 0, 0, 0]
        let source = limbs, limbShift = count / 64, bitShift = count % 64
        for index in limbShift..<4 {
            result[index] = source[index - limbShift] << bitShift
            if bitShift > 0 && index - limbShift >= 1 { result[index] |= source[index - limbShift - 1] >> (64 - bitShift) }
        }
        return Word256(result[0], result[1], result[2], result[3])
    }

    /// SHR (logical), or SAR when `arithmetic` (fills with the sign bit).
    public func shiftedRight(by shift: Word256, arithmetic: Bool = false) -> Word256 {
        let fill: Word256 = arithmetic && isNegative ? .max : .zero
        guard let count = shift.smallValue, count < 256 else { return fill }
        var result: [UInt64] = [0, 0, 0, 0]
        let source = limbs, limbShift = count / 64, bitShift = count % 64
        for index in 0..<(4 - limbShift) {
            result[index] = source[index + limbShift] >> bitShift
            if bitShift > 0 && index + limbShift + 1 < 4 { result[index] |= source[index + limbShift + 1] << (64 - bitShift) }
        }
        var shifted = Word256(result[0], result[1], result[2], result[3])
        if fill == .max && count > 0 { shifted = shifted | ~Word256.max.shiftedRight(by: shift) }
        return shifted
    }

    /// BYTE: the index-th byte counting from the most significant, or zero past 31.
    public func byte(_ index: Word256) -> Word256 {
        guard let position = index.smallValue, position < 32 else { return .zero }
        return Word256(UInt64(bigEndianBytes[position]))
    }

    /// SIGNEXTEND: extends the sign of the low (byteIndex + 1) bytes.
    public func signExtended(fromByte byteIndex: Word256) -> Word256 {
        guard let index = byteIndex.smallValue, index < 31 else { return self }
        let bit = 8 * index + 7
        let mask = Word256.one.shiftedLeft(by: Word256(UInt64(bit + 1))) &- .one
        let negative = !(self & Word256.one.shiftedLeft(by: Word256(UInt64(bit)))).isZero
        return negative ? self | ~mask : self & mask
    }

    /// DIV and MOD (zero for a zero divisor), SDIV and SMOD (truncating; the sign of SMOD follows the dividend).
    public func divided(by divisor: Word256, signed: Bool) -> Word256 {
        if divisor.isZero { return .zero }
        if !signed { return Word256(bigInt / divisor.bigInt) }
        let (a, b) = (signedBigInt, divisor.signedBigInt)
        let quotient = a.magnitude / b.magnitude
        return Word256(a.isNegative != b.isNegative ? BigInt(0) - quotient : quotient)
    }

    public func remainder(dividingBy divisor: Word256, signed: Bool) -> Word256 {
        if divisor.isZero { return .zero }
        if !signed { return Word256(bigInt % divisor.bigInt) }
        let (a, b) = (signedBigInt, divisor.signedBigInt)
        let remainder = a.magnitude % b.magnitude
        return Word256(a.isNegative ? BigInt(0) - remainder : remainder)
    }

    /// ADDMOD and MULMOD: exact (not wrapped) sum or product modulo `modulus`; zero for a zero modulus.
    public static func addMod(_ a: Word256, _ b: Word256, _ modulus: Word256) -> Word256 {
        modulus.isZero ? .zero : Word256((a.bigInt + b.bigInt) % modulus.bigInt)
    }

    public static func mulMod(_ a: Word256, _ b: Word256, _ modulus: Word256) -> Word256 {
        modulus.isZero ? .zero : Word256((a.bigInt * b.bigInt) % modulus.bigInt)
    }

    /// EXP modulo 2^256.
    public func power(_ exponent: Word256) -> Word256 {
        Word256(bigInt.power(exponent.bigInt, modulus: Word256.modulus)!)
    }

    /// The number of bytes in the value's minimal big-endian form (EXP's gas).
    public var byteCount: Int {
        for (index, limb) in [l3, l2, l1, l0].enumerated() where limb != 0 {
            return 8 * (3 - index) + (64 - limb.leadingZeroBitCount + 7) / 8
        }
        return 0
    }
}
