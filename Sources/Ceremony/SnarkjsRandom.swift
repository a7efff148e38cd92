import Algebra
import COpenSSL
import Curves

/// ffjavascript's `ChaCha` generator, which snarkjs seeds with eight 32-bit words: the ChaCha20 keystream
/// (key = the seed words, counter and nonce zero) read as little-endian 32-bit words. The keystream is OpenSSL's.
/// A reference type: every draw advances the one stream.
public final class ChaChaStream {
    private let context: OpaquePointer
    private var block: [UInt32] = []
    private var index = 16

    deinit { EVP_CIPHER_CTX_free(context) }

    public init(seed: [UInt32]) {
        precondition(seed.count == 8, "ChaCha is seeded with 8 words")
        let key = seed.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
        let iv = [UInt8](repeating: 0, count: 16)
        context = EVP_CIPHER_CTX_new()!
        precondition(EVP_EncryptInit_ex(context, EVP_chacha20(), nil, key, iv) == 1, "OpenSSL ChaCha20 init failed")
    }

    /// The eight big-endian words of a hash's first 32 bytes, as snarkjs seeds its generators.
    public convenience init(seedingWith hash: [UInt8]) {
        self.init(seed: (0..<8).map { i in (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(hash[4 * i + $1]) } })
    }

    public func nextU32() -> UInt32 {
        if index == 16 {
            var zeros = [UInt8](repeating: 0, count: 64), stream = [UInt8](repeating: 0, count: 64)
            var written: Int32 = 0
            precondition(EVP_EncryptUpdate(context, &stream, &written, &zeros, 64) == 1 && written == 64, "OpenSSL ChaCha20 failed")
            block = (0..<16).map { word in (0..<4).reduce(UInt32(0)) { $0 | UInt32(stream[4 * word + $1]) << (8 * $1) } }
            index = 0
        }
        defer { index += 1 }
        return block[index]
    }

    /// The first word is the high half.
    public func nextU64() -> UInt64 { UInt64(nextU32()) << 32 | UInt64(nextU32()) }
    public func nextBool() -> Bool { nextU32() & 1 == 1 }
}

/// snarkjs's (ffjavascript's) sampling of field elements and points from a `ChaChaStream`, reproduced exactly so
/// that transcripts and beacons agree: an element is four 64-bit draws masked to 254 bits, redrawn while >= the
/// modulus, and used as the element's Montgomery form; a point draws x (and a sign bit) until x^3 + b is a square,
/// takes the root whose "negativity" (value > (p-1)/2, on c1 unless it is zero) matches the bit, and for G2
/// multiplies by the cofactor.
public enum SnarkjsRandom {
    static let mask254: UInt64 = (1 << 62) - 1

    static func limbs(_ rng: ChaChaStream, below modulus: Limbs4) -> Limbs4 {
        while true {
            let value: Limbs4 = (rng.nextU64(), rng.nextU64(), rng.nextU64(), rng.nextU64() & mask254)
            if (value.3, value.2, value.1, value.0) < (modulus.3, modulus.2, modulus.1, modulus.0) { return value }
        }
    }

    public static func fr(_ rng: ChaChaStream) -> Fr {
        let v = limbs(rng, below: FrParameters.modulusLimbs)
        return Fr(montgomeryLimbs: v.0, v.1, v.2, v.3)
    }

    public static func fq(_ rng: ChaChaStream) -> Fq {
        let v = limbs(rng, below: FqParameters.modulusLimbs)
        return Fq(montgomeryLimbs: v.0, v.1, v.2, v.3)
    }

    static let halfP: Limbs4 = {
        let p = FqParameters.modulusLimbs
        return (p.0 >> 1 | p.1 << 63, p.1 >> 1 | p.2 << 63, p.2 >> 1 | p.3 << 63, p.3 >> 1)
    }()

    static func isNegative(_ value: Fq) -> Bool {
        let v = value.canonicalLimbs
        return (v.3, v.2, v.1, v.0) > (halfP.3, halfP.2, halfP.1, halfP.0)
    }

    static func isNegative(_ value: Fq2) -> Bool { value.c1.isZero ? isNegative(value.c0) : isNegative(value.c1) }

    public static func g1(_ rng: ChaChaStream) -> G1Affine {
        while true {
            let x = fq(rng)
            let negative = rng.nextBool()
            guard var y = (x.squared() * x + BN254G1.coefficientB).squareRoot() else { continue }
            if isNegative(y) != negative { y = -y }
            return G1Affine(uncheckedX: x, y: y)
        }
    }

    /// The twist's cofactor (ffjavascript's `cofactorG2` for bn128).
    static let g2Cofactor: [UInt64] = [0x345f_2299_c0f9_fa8d, 0x06ce_ecda_572a_2489, 0xb850_45b6_8181_585e, 0x3064_4e72_e131_a029]

    public static func g2(_ rng: ChaChaStream) -> G2Affine {
        while true {
            let x = Fq2(fq(rng), fq(rng))
            let negative = rng.nextBool()
            guard var y = (x.squared() * x + BN254G2.coefficientB).squareRoot() else { continue }
            if isNegative(y) != negative { y = -y }
            return G2Affine(uncheckedX: x, y: y).jacobian.multiplied(byLimbs: g2Cofactor).affine
        }
    }

    /// snarkjs's `hashToG2`: the G2 point drawn from ChaCha seeded with the hash's first 32 bytes.
    public static func hashToG2(_ hash: [UInt8]) -> G2Affine {
        g2(ChaChaStream(seedingWith: hash))
    }

    /// snarkjs's `rngFromBeaconParams`: SHA-256 applied 2^iterationsExp times to the beacon hash seeds ChaCha.
    public static func beaconStream(beaconHash: [UInt8], iterationsExp: Int) -> ChaChaStream {
        var hash = beaconHash
        let total = UInt64(1) << UInt64(iterationsExp)
        var done: UInt64 = 0
        while done < total {
            hash = Digest.sha256(hash)
            done += 1
        }
        return ChaChaStream(seedingWith: hash)
    }
}
