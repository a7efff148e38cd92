import CGMP

/// An arbitrary-precision signed integer backed by GMP's `mpz_t`.
///
/// Values are immutable: every operation returns a new value, so sharing the storage between
/// copies is safe and the type has value semantics. It is used for constants, parsing and
/// printing, and as the oracle in tests; hot arithmetic lives in the fixed-limb fields.
public struct BigInt: Sendable {
    @usableFromInline
    final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<__mpz_struct>

        init() {
            pointer = .allocate(capacity: 1)
            __gmpz_init(pointer)
        }

        deinit {
            __gmpz_clear(pointer)
            pointer.deallocate()
        }
    }

    @usableFromInline let storage: Storage

    /// Builds a value by letting `body` write into a freshly initialised `mpz_t`.
    @usableFromInline
    init(writing body: (UnsafeMutablePointer<__mpz_struct>) -> Void) {
        storage = Storage()
        body(storage.pointer)
    }

    var raw: UnsafeMutablePointer<__mpz_struct> { storage.pointer }

    public init() { self.init(writing: { _ in }) }

    public init(_ value: Int) {
        self.init(writing: { __gmpz_set_si($0, value) })
    }

    public init(_ value: UInt64) {
        self.init(writing: { __gmpz_set_ui($0, UInt(value)) })
    }

    /// Parses an optionally signed integer in the given base (2...62). Leading and trailing
    /// whitespace, empty digits, underscores and any other junk are rejected.
    public init?(_ text: some StringProtocol, radix: Int = 10) {
        precondition((2...62).contains(radix), "radix must be in 2...62")
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        } else if digits.first == "+" {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ Self.digitValue($0).map { $0 < radix } ?? false }) else {
            return nil
        }
        var failed = false
        let parsed = BigInt(writing: { pointer in
            failed = __gmpz_set_str(pointer, String(digits), Int32(radix)) != 0
        })
        if failed { return nil }
        self = negative ? -parsed : parsed
    }

    /// Parses `0x`-prefixed hexadecimal or plain decimal.
    public init?(parsing text: some StringProtocol) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            self.init(text.dropFirst(2), radix: 16)
        } else {
            self.init(text, radix: 10)
        }
    }

    private static func digitValue(_ character: Character) -> Int? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(ascii - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(ascii - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(ascii - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// Interprets `bytes` as an unsigned big-endian magnitude.
    public init(bigEndianBytes bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        self.init(writing: { pointer in
            array.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
                __gmpz_import(pointer, buffer.count, 1, 1, 1, 0, base)
            }
        })
    }

    /// Interprets `bytes` as an unsigned little-endian magnitude.
    public init(littleEndianBytes bytes: some Collection<UInt8>) {
        self.init(bigEndianBytes: bytes.reversed())
    }

    /// Builds a non-negative value from 64-bit limbs, least significant first.
    public init(limbs: [UInt64]) {
        self.init(writing: { pointer in
            limbs.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
                __gmpz_import(pointer, buffer.count, -1, 8, 0, 0, base)
            }
        })
    }

    public var signum: Int {
        let size = raw.pointee._mp_size
        return size < 0 ? -1 : (size > 0 ? 1 : 0)
    }

    public var isZero: Bool { raw.pointee._mp_size == 0 }
    public var isNegative: Bool { raw.pointee._mp_size < 0 }
    public var isOdd: Bool { __gmpz_tstbit(raw, 0) == 1 }

    /// Number of bits in the magnitude; 0 for zero.
    public var bitWidth: Int { isZero ? 0 : Int(__gmpz_sizeinbase(raw, 2)) }

    /// Bit `index` of the magnitude's two's-complement form (as GMP defines it).
    public func bit(_ index: Int) -> Bool { __gmpz_tstbit(raw, mp_bitcnt_t(index)) == 1 }

    /// The magnitude as `count` little-endian 64-bit limbs, or nil if it does not fit.
    public func limbs(count: Int) -> [UInt64]? {
        guard bitWidth <= 64 * count else { return nil }
        var result = [UInt64](repeating: 0, count: count)
        var written = 0
        result.withUnsafeMutableBytes { buffer in
            _ = __gmpz_export(buffer.baseAddress, &written, -1, 8, 0, 0, raw)
        }
        return result
    }

    /// The magnitude as exactly `count` big-endian bytes, or nil if it does not fit.
    public func bigEndianBytes(count: Int) -> [UInt8]? {
        guard bitWidth <= 8 * count else { return nil }
        var result = [UInt8](repeating: 0, count: count)
        let length = (bitWidth + 7) / 8
        if length > 0 {
            var written = 0
            result.withUnsafeMutableBytes { buffer in
                _ = __gmpz_export(buffer.baseAddress! + (count - length), &written, 1, 1, 1, 0, raw)
            }
        }
        return result
    }

    /// The magnitude as exactly `count` little-endian bytes, or nil if it does not fit.
    public func littleEndianBytes(count: Int) -> [UInt8]? {
        bigEndianBytes(count: count).map { Array($0.reversed()) }
    }

    /// The value as an `Int`, or nil if it does not fit.
    public var intValue: Int? {
        guard __gmpz_fits_slong_p(raw) != 0 else { return nil }
        return __gmpz_get_si(raw)
    }

    public func toString(radix: Int = 10) -> String {
        precondition((2...36).contains(radix), "radix must be in 2...36")
        let capacity = Int(__gmpz_sizeinbase(raw, Int32(radix))) + 2
        var buffer = [CChar](repeating: 0, count: capacity)
        __gmpz_get_str(&buffer, Int32(radix), raw)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension BigInt: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { toString() }
    public var debugDescription: String { "BigInt(\(toString()))" }
}

extension BigInt: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension BigInt: Equatable, Comparable, Hashable {
    public static func == (lhs: BigInt, rhs: BigInt) -> Bool { __gmpz_cmp(lhs.raw, rhs.raw) == 0 }
    public static func < (lhs: BigInt, rhs: BigInt) -> Bool { __gmpz_cmp(lhs.raw, rhs.raw) < 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signum)
        hasher.combine(limbs(count: (bitWidth + 63) / 64))
    }
}

// MARK: - Arithmetic

extension BigInt {
    public static func + (lhs: BigInt, rhs: BigInt) -> BigInt {
        BigInt(writing: { __gmpz_add($0, lhs.raw, rhs.raw) })
    }

    public static func - (lhs: BigInt, rhs: BigInt) -> BigInt {
        BigInt(writing: { __gmpz_sub($0, lhs.raw, rhs.raw) })
    }

    public static func * (lhs: BigInt, rhs: BigInt) -> BigInt {
        BigInt(writing: { __gmpz_mul($0, lhs.raw, rhs.raw) })
    }

    public static prefix func - (value: BigInt) -> BigInt {
        BigInt(writing: { __gmpz_neg($0, value.raw) })
    }

    public static func += (lhs: inout BigInt, rhs: BigInt) { lhs = lhs + rhs }
    public static func -= (lhs: inout BigInt, rhs: BigInt) { lhs = lhs - rhs }
    public static func *= (lhs: inout BigInt, rhs: BigInt) { lhs = lhs * rhs }

    /// Quotient rounded toward zero, like Swift's `/` on fixed-width integers.
    public static func / (lhs: BigInt, rhs: BigInt) -> BigInt {
        precondition(!rhs.isZero, "division by zero")
        return BigInt(writing: { __gmpz_tdiv_q($0, lhs.raw, rhs.raw) })
    }

    /// Remainder with the sign of the dividend, like Swift's `%` on fixed-width integers.
    public static func % (lhs: BigInt, rhs: BigInt) -> BigInt {
        precondition(!rhs.isZero, "division by zero")
        return BigInt(writing: { __gmpz_tdiv_r($0, lhs.raw, rhs.raw) })
    }

    /// The least non-negative residue modulo a positive `modulus`.
    public func modulo(_ modulus: BigInt) -> BigInt {
        precondition(modulus.signum > 0, "modulus must be positive")
        return BigInt(writing: { __gmpz_mod($0, raw, modulus.raw) })
    }

    public var magnitude: BigInt { BigInt(writing: { __gmpz_abs($0, raw) }) }

    public static func << (lhs: BigInt, rhs: Int) -> BigInt {
        precondition(rhs >= 0, "negative shift")
        return BigInt(writing: { __gmpz_mul_2exp($0, lhs.raw, mp_bitcnt_t(rhs)) })
    }

    /// Arithmetic shift right (floor division by a power of two).
    public static func >> (lhs: BigInt, rhs: Int) -> BigInt {
        precondition(rhs >= 0, "negative shift")
        return BigInt(writing: { __gmpz_fdiv_q_2exp($0, lhs.raw, mp_bitcnt_t(rhs)) })
    }

    public func power(_ exponent: Int) -> BigInt {
        precondition(exponent >= 0, "negative exponent")
        return BigInt(writing: { __gmpz_pow_ui($0, raw, UInt(exponent)) })
    }

    /// `self^exponent mod modulus`; a negative exponent uses the modular inverse and returns nil
    /// when that does not exist.
    public func power(_ exponent: BigInt, modulus: BigInt) -> BigInt? {
        precondition(modulus.signum > 0, "modulus must be positive")
        if exponent.isNegative {
            guard let inverse = inverse(modulo: modulus) else { return nil }
            return inverse.power(-exponent, modulus: modulus)
        }
        return BigInt(writing: { __gmpz_powm($0, raw, exponent.raw, modulus.raw) })
    }

    /// The inverse modulo a positive `modulus`, or nil when `gcd(self, modulus) != 1`.
    public func inverse(modulo modulus: BigInt) -> BigInt? {
        precondition(modulus.signum > 0, "modulus must be positive")
        var exists = false
        let result = BigInt(writing: { exists = __gmpz_invert($0, raw, modulus.raw) != 0 })
        return exists ? result : nil
    }

    public func gcd(_ other: BigInt) -> BigInt {
        BigInt(writing: { __gmpz_gcd($0, raw, other.raw) })
    }

    /// The Jacobi symbol (self / modulus) for an odd positive modulus.
    public func jacobi(_ modulus: BigInt) -> Int {
        Int(__gmpz_jacobi(raw, modulus.raw))
    }

    /// Floor of the square root of a non-negative value.
    public func squareRoot() -> BigInt {
        precondition(!isNegative, "square root of a negative number")
        return BigInt(writing: { __gmpz_sqrt($0, raw) })
    }

    /// GMP's probabilistic primality test with the given number of rounds.
    public func isProbablePrime(rounds: Int = 30) -> Bool {
        __gmpz_probab_prime_p(raw, Int32(rounds)) > 0
    }

    /// A uniformly random value in `0..<bound`, from a caller-supplied generator.
    public static func random(below bound: BigInt, using generator: inout some RandomNumberGenerator) -> BigInt {
        precondition(bound.signum > 0, "bound must be positive")
        let limbCount = (bound.bitWidth + 63) / 64
        let topBits = bound.bitWidth - 64 * (limbCount - 1)
        let topMask: UInt64 = topBits == 64 ? .max : (1 << UInt64(topBits)) - 1
        while true {
            var limbs = (0..<limbCount).map { _ in generator.next() as UInt64 }
            limbs[limbCount - 1] &= topMask
            let candidate = BigInt(limbs: limbs)
            if candidate < bound { return candidate }
        }
    }
}
