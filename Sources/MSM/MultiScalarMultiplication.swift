import Algebra
import Curves

/// Multi-scalar multiplication: sum of scalars[i] * bases[i].
public enum MSM {
    /// The straightforward sum of scalar multiplications; kept as the test oracle.
    public static func naive<C: ShortWeierstrassCurve>(bases: [AffinePoint<C>], scalars: [Fr]) -> JacobianPoint<C> {
        precondition(bases.count == scalars.count, "MSM needs one scalar per base")
        var sum = JacobianPoint<C>.infinity
        for (base, scalar) in zip(bases, scalars) { sum += base * scalar }
        return sum
    }

    /// Pippenger's bucket method with signed window digits, windows spread over the cores.
    ///
    /// Zero scalars are skipped and scalars equal to one are summed directly, which matters for
    /// neural-network witnesses, where most wires are bits from range checks.
    public static func pippenger<C: ShortWeierstrassCurve>(bases: [AffinePoint<C>], scalars: [Fr]) -> JacobianPoint<C> {
        precondition(bases.count == scalars.count, "MSM needs one scalar per base")
        let count = scalars.count
        // Canonical limbs, and the split into zero / one / general scalars, per chunk in parallel.
        var limbs = [Limbs4](repeating: (0, 0, 0, 0), count: count)
        let chunkCount = max(1, min(Parallel.coreCount * 4, count / 4096))
        var onesSums = [JacobianPoint<C>](repeating: .infinity, count: chunkCount)
        var generalLists = [[Int32]](repeating: [], count: chunkCount)
        limbs.withUnsafeMutableBufferPointer { limbBuffer in
            let limbPointer = UnsafeSendableBox(limbBuffer.baseAddress!)
            onesSums.withUnsafeMutableBufferPointer { onesBuffer in
                let onesPointer = UnsafeSendableBox(onesBuffer.baseAddress!)
                generalLists.withUnsafeMutableBufferPointer { listBuffer in
                    let listPointer = UnsafeSendableBox(listBuffer.baseAddress!)
                    Parallel.forEach(count: chunkCount) { chunk in
                        var ones: [Int32] = []
                        var general: [Int32] = []
                        for index in (count * chunk / chunkCount)..<(count * (chunk + 1) / chunkCount) {
                            let value = scalars[index].canonicalLimbs
                            if (value.1 | value.2 | value.3) == 0 {
                                if value.0 == 0 { continue }
                                if value.0 == 1 { ones.append(Int32(index)); continue }
                            }
                            limbPointer.value[index] = value
                            general.append(Int32(index))
                        }
                        onesPointer.value[chunk] = plainSum(bases: bases, indices: ones)
                        listPointer.value[chunk] = general
                    }
                }
            }
        }
        var result = onesSums.reduce(JacobianPoint<C>.infinity, +)
        let general = generalLists.flatMap { $0 }
        if general.isEmpty { return result }
        if general.count < 16 {
            for index in general {
                let value = limbs[Int(index)]
                result += bases[Int(index)].jacobian.multiplied(byLimbs: [value.0, value.1, value.2, value.3])
            }
            return result
        }
        result += bucketMethod(bases: bases, limbs: limbs, indices: general)
        return result
    }

    /// The sum of `bases[indices]`, in affine coordinates with batched inversions when there are many.
    static func plainSum<C: ShortWeierstrassCurve>(bases: [AffinePoint<C>], indices: [Int32]) -> JacobianPoint<C> {
        if indices.count < batchAffineThreshold {
            return indices.reduce(JacobianPoint<C>.infinity) { $0 + bases[Int($1)] }
        }
        var bucket = BatchAffineBuckets<C>(bucketCount: 1, pointCount: indices.count, digit: { _ in 1 },
                                           base: { bases[Int(indices[$0])] })
        bucket.reduce()
        return bucket.weightedSum()
    }

    /// From this many points on, buckets are summed in affine coordinates with batched inversions.
    static let batchAffineThreshold = 512

    /// Window width for `count` points (about log2(count) * 0.69 + 2, as arkworks chooses).
    public static func windowBits(for count: Int) -> Int {
        if count < 32 { return 3 }
        var log = 0
        while (1 << (log + 1)) <= count { log += 1 }
        return min(16, log * 69 / 100 + 2)
    }

    static func bucketMethod<C: ShortWeierstrassCurve>(
        bases: [AffinePoint<C>], limbs: [Limbs4], indices: [Int32]
    ) -> JacobianPoint<C> {
        let width = windowBits(for: indices.count)
        // Signed digits in [-2^(w-1), 2^(w-1)]: one extra window absorbs the final carry.
        let windowCount = (254 + width - 1) / width + 1
        let digitsPerScalar = windowCount
        var digits = [Int32](repeating: 0, count: indices.count * digitsPerScalar)
        let mask = (UInt64(1) << UInt64(width)) - 1
        let half = Int64(1) << Int64(width - 1)
        digits.withUnsafeMutableBufferPointer { digitBuffer in
            let digitPointer = UnsafeSendableBox(digitBuffer.baseAddress!)
            Parallel.forEachChunk(count: indices.count, minimumChunk: 4096) { range in
                for position in range {
                    let value = limbs[Int(indices[position])]
                    let words = [value.0, value.1, value.2, value.3]
                    var carry: Int64 = 0
                    for window in 0..<windowCount {
                        let bitOffset = window * width
                        var raw: UInt64 = 0
                        if bitOffset < 254 {
                            let word = bitOffset / 64, shift = UInt64(bitOffset % 64)
                            raw = words[word] >> shift
                            if shift != 0, word + 1 < 4, Int(shift) + width > 64 { raw |= words[word + 1] << (64 - shift) }
                            raw &= mask
                        }
                        var digit = Int64(raw) + carry
                        if digit > half {
                            digit -= Int64(1) << Int64(width)
                            carry = 1
                        } else {
                            carry = 0
                        }
                        digitPointer.value[position * digitsPerScalar + window] = Int32(digit)
                    }
                }
            }
        }
        var windowSums = [JacobianPoint<C>](repeating: .infinity, count: windowCount)
        let bucketCount = Int(half)
        windowSums.withUnsafeMutableBufferPointer { sumBuffer in
            let sumPointer = UnsafeSendableBox(sumBuffer.baseAddress!)
            Parallel.forEach(count: windowCount) { window in
                if indices.count >= batchAffineThreshold {
                    var buckets = BatchAffineBuckets<C>(
                        bucketCount: bucketCount, pointCount: indices.count,
                        digit: { Int(digits[$0 * digitsPerScalar + window]) }, base: { bases[Int(indices[$0])] })
                    buckets.reduce()
                    sumPointer.value[window] = buckets.weightedSum()
                    return
                }
                var buckets = [JacobianPoint<C>](repeating: .infinity, count: bucketCount)
                for position in 0..<indices.count {
                    let digit = Int(digits[position * digitsPerScalar + window])
                    if digit > 0 {
                        buckets[digit - 1] += bases[Int(indices[position])]
                    } else if digit < 0 {
                        buckets[-digit - 1] += -bases[Int(indices[position])]
                    }
                }
                // sum_k k * bucket[k-1] as a running sum from the top bucket down.
                var running = JacobianPoint<C>.infinity
                var total = JacobianPoint<C>.infinity
                for bucket in buckets.reversed() {
                    running += bucket
                    total += running
                }
                sumPointer.value[window] = total
            }
        }
        var result = JacobianPoint<C>.infinity
        for window in stride(from: windowCount - 1, through: 0, by: -1) {
            for _ in 0..<width { result = result.doubled() }
            result += windowSums[window]
        }
        return result
    }
}

extension MSM {
    /// G1 MSM. Concrete entry points let the optimizer specialize the generic code inside this module;
    /// callers in other modules would otherwise run it through protocol witness tables.
    public static func g1(bases: [G1Affine], scalars: [Fr]) -> G1Jacobian {
        pippenger(bases: bases, scalars: scalars)
    }

    /// G2 MSM (see `g1`).
    public static func g2(bases: [G2Affine], scalars: [Fr]) -> G2Jacobian {
        pippenger(bases: bases, scalars: scalars)
    }
}
