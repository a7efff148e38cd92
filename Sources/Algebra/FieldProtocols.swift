import BigNum

/// A commutative field. Generic code (NTT, MSM, R1CS, curves) is written against this.
public protocol Field: Hashable, Sendable, CustomStringConvertible {
    static var zero: Self { get }
    static var one: Self { get }
    var isZero: Bool { get }

    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static prefix func - (value: Self) -> Self

    func squared() -> Self
    func doubled() -> Self
    /// The multiplicative inverse, or nil for zero.
    func inverse() -> Self?

    /// A uniformly random element drawn from a caller-supplied generator.
    static func random(using generator: inout some RandomNumberGenerator) -> Self
}

extension Field {
    @inlinable public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    @inlinable public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }
    @inlinable public mutating func square() { self = squared() }
    @inlinable public mutating func double() { self = doubled() }
    @inlinable public mutating func negate() { self = -self }

    /// `self^exponent` for an exponent given as little-endian 64-bit limbs.
    @inlinable
    public func power(limbs exponent: [UInt64]) -> Self {
        var result = Self.one
        for limb in exponent.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result.square()
                if (limb >> UInt64(bit)) & 1 == 1 { result *= self }
            }
        }
        return result
    }

    /// `self^exponent`; a negative exponent inverts first (zero to a negative power traps).
    public func power(_ exponent: BigInt) -> Self {
        if exponent.isNegative {
            guard let inverse = inverse() else { preconditionFailure("zero has no inverse") }
            return inverse.power(-exponent)
        }
        return power(limbs: exponent.limbs(count: (exponent.bitWidth + 63) / 64) ?? [])
    }

    public func power(_ exponent: Int) -> Self { power(BigInt(exponent)) }

    /// Inverts every non-zero element with one field inversion (Montgomery's trick); zeros stay zero.
    @inlinable
    public static func batchInvert(_ elements: inout [Self]) {
        var prefix = [Self](repeating: .one, count: elements.count)
        var accumulator = Self.one
        for index in elements.indices where !elements[index].isZero {
            prefix[index] = accumulator
            accumulator *= elements[index]
        }
        guard var inverse = accumulator.inverse() else { return }
        for index in elements.indices.reversed() where !elements[index].isZero {
            let original = elements[index]
            elements[index] = inverse * prefix[index]
            inverse *= original
        }
    }
}

/// A prime field Z/pZ with a canonical integer representative in `0..<modulus`.
public protocol PrimeField: Field, ExpressibleByIntegerLiteral where IntegerLiteralType == UInt64 {
    static var modulus: BigInt { get }
    /// Bytes in a canonical encoding.
    static var byteCount: Int { get }

    /// The element whose canonical representative is `value`; nil if `value` is negative or >= modulus.
    init?(canonical value: BigInt)
    /// The element congruent to `value` (any sign, any size).
    init(reducing value: BigInt)
    init(_ value: UInt64)
    var canonical: BigInt { get }

    /// A square root, or nil for a non-residue.
    func squareRoot() -> Self?
    /// The Legendre symbol: 0 for zero, 1 for a non-zero square, -1 otherwise.
    var legendre: Int { get }
}

public enum FieldEncodingError: Error, Equatable, CustomStringConvertible {
    case wrongLength(expected: Int, actual: Int)
    case notCanonical(String)
    case invalidDecimal(String)

    public var description: String {
        switch self {
        case let .wrongLength(expected, actual):
            return "field element must be \(expected) bytes, got \(actual)"
        case let .notCanonical(value):
            return "field element \(value) is not below the modulus"
        case let .invalidDecimal(text):
            let shown = text.count > 90 ? String(text.prefix(90)) + "..." : text
            return "'\(shown)' is not a non-negative decimal integer"
        }
    }
}

extension PrimeField {
    @inlinable public init(integerLiteral value: UInt64) { self.init(value) }

    public var description: String { canonical.description }

    /// Decodes a decimal string; rejects signs, junk and values >= modulus.
    public init(decimal text: some StringProtocol) throws(FieldEncodingError) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = BigInt(text, radix: 10)
        else { throw .invalidDecimal(String(text)) }
        guard let element = Self(canonical: value) else { throw .notCanonical(String(text)) }
        self = element
    }

    public var decimal: String { canonical.description }

    public init(bigEndian bytes: some Collection<UInt8>) throws(FieldEncodingError) {
        guard bytes.count == Self.byteCount else { throw .wrongLength(expected: Self.byteCount, actual: bytes.count) }
        let value = BigInt(bigEndianBytes: bytes)
        guard let element = Self(canonical: value) else { throw .notCanonical(value.description) }
        self = element
    }

    public init(littleEndian bytes: some Collection<UInt8>) throws(FieldEncodingError) {
        try self.init(bigEndian: Array(bytes).reversed())
    }

    public var bigEndianBytes: [UInt8] { canonical.bigEndianBytes(count: Self.byteCount)! }
    public var littleEndianBytes: [UInt8] { canonical.littleEndianBytes(count: Self.byteCount)! }
}

/// A prime field with a large power-of-two subgroup, as radix-2 NTTs need.
public protocol FFTField: PrimeField {
    /// The largest `s` with `2^s | modulus - 1`.
    static var twoAdicity: Int { get }
    /// A primitive `2^twoAdicity`-th root of unity.
    static var twoAdicRootOfUnity: Self { get }
    /// A generator of the multiplicative group (used for cosets).
    static var multiplicativeGenerator: Self { get }
}

extension FFTField {
    /// A primitive `2^logSize`-th root of unity, the power of `twoAdicRootOfUnity` that snarkjs and arkworks use.
    public static func rootOfUnity(logSize: Int) -> Self? {
        guard (0...twoAdicity).contains(logSize) else { return nil }
        var root = twoAdicRootOfUnity
        for _ in logSize..<twoAdicity { root.square() }
        return root
    }
}

/// A finite extension of `BaseField`.
public protocol ExtensionField: Field {
    associatedtype BaseField: Field
    static var degree: Int { get }
    /// The `p^power`-th power map.
    func frobenius(_ power: Int) -> Self
    static func * (lhs: Self, rhs: BaseField) -> Self
}
