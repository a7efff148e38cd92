import CGMP

/// Montgomery multiplication on GMP's low-level `mpn` layer for a 4-limb odd modulus.
///
/// This is the "GMP only" alternative to the fixed-limb fields in `Algebra`; the benchmark
/// runs both so the hot path is a measured choice. Values are 4 little-endian limbs below
/// the modulus, in Montgomery form with R = 2^256.
public struct MPNMontgomery: Sendable {
    public let modulus: [UInt64]
    /// `-modulus^-1 mod 2^64`.
    public let negatedInverse: UInt64

    public init?(modulus value: BigInt) {
        guard value.isOdd, value.bitWidth <= 256, let limbs = value.limbs(count: 4) else { return nil }
        modulus = limbs
        let word = BigInt(1) << 64
        guard let inverse = value.inverse(modulo: word) else { return nil }
        negatedInverse = (word - inverse).limbs(count: 1)![0]
    }

    /// `a * b / 2^256 mod modulus` into `result`; all three point at 4 limbs.
    public func multiply(
        _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into result: UnsafeMutablePointer<UInt64>
    ) {
        withUnsafeTemporaryAllocation(of: mp_limb_t.self, capacity: 9) { buffer in
            let t = buffer.baseAddress!
            t[8] = 0
            a.withMemoryRebound(to: mp_limb_t.self, capacity: 4) { a in
                b.withMemoryRebound(to: mp_limb_t.self, capacity: 4) { b in
                    __gmpn_mul_n(t, a, b, 4)
                }
            }
            modulus.withUnsafeBufferPointer { q in
                q.baseAddress!.withMemoryRebound(to: mp_limb_t.self, capacity: 4) { q in
                    // REDC: clear one low limb per round by adding m * q.
                    for index in 0..<4 {
                        let m = UInt(t[index] &* UInt(negatedInverse))
                        let carry = __gmpn_addmul_1(t + index, q, 4, m)
                        _ = __gmpn_add_1(t + index + 4, t + index + 4, mp_size_t(5 - index), carry)
                    }
                    let upper = t + 4
                    if upper[4] != 0 || __gmpn_cmp(upper, q, 4) >= 0 {
                        _ = __gmpn_sub_n(upper, upper, q, 4)
                    }
                    result.withMemoryRebound(to: mp_limb_t.self, capacity: 4) { result in
                        result.update(from: upper, count: 4)
                    }
                }
            }
        }
    }
}
