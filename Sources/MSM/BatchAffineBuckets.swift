import Algebra
import Curves

/// Sums the points of every bucket in affine coordinates, pairing them up in rounds that share one
/// field inversion (see `BatchAffineAddition`).
struct BatchAffineBuckets<C: ShortWeierstrassCurve> {
    typealias Field = C.BaseField

    /// Points grouped by bucket: bucket b owns items[start[b] ..< start[b] + length[b]].
    var items: [AffinePoint<C>]
    var start: [Int]
    var length: [Int]

    /// Groups `bases[indices[p]]` (negated for negative digits) into buckets 1...bucketCount by digit.
    init(bucketCount: Int, pointCount: Int, digit: (Int) -> Int, base: (Int) -> AffinePoint<C>) {
        var counts = [Int](repeating: 0, count: bucketCount)
        for position in 0..<pointCount {
            let value = digit(position)
            if value != 0 { counts[abs(value) - 1] += 1 }
        }
        start = [Int](repeating: 0, count: bucketCount)
        var running = 0
        for bucket in 0..<bucketCount {
            start[bucket] = running
            running += counts[bucket]
        }
        length = [Int](repeating: 0, count: bucketCount)
        items = [AffinePoint<C>](repeating: .infinity, count: running)
        for position in 0..<pointCount {
            let value = digit(position)
            if value == 0 { continue }
            let bucket = abs(value) - 1
            let point = base(position)
            items[start[bucket] + length[bucket]] = value > 0 ? point : -point
            length[bucket] += 1
        }
    }

    /// Halves every bucket with more than one point until each holds at most one.
    mutating func reduce() {
        var denominators: [Field] = []
        var kinds: [BatchAffineAddition.Kind] = []
        while true {
            denominators.removeAll(keepingCapacity: true)
            kinds.removeAll(keepingCapacity: true)
            for bucket in start.indices where length[bucket] > 1 {
                var k = start[bucket]
                let end = start[bucket] + length[bucket] - 1
                while k < end {
                    let (kind, denominator) = BatchAffineAddition.classify(items[k], items[k + 1])
                    kinds.append(kind)
                    denominators.append(denominator)
                    k += 2
                }
            }
            if kinds.isEmpty { return }
            Field.batchInvert(&denominators)
            var pair = 0
            for bucket in start.indices where length[bucket] > 1 {
                let first = start[bucket]
                let count = length[bucket]
                var k = 0
                while k + 1 < count {
                    let result = BatchAffineAddition.combine(
                        items[first + k], items[first + k + 1], kinds[pair], denominators[pair])
                    // Writing at first + k/2 never overwrites an unread item (k/2 <= k).
                    items[first + k / 2] = result
                    pair += 1
                    k += 2
                }
                if count % 2 == 1 { items[first + count / 2] = items[first + count - 1] }
                length[bucket] = (count + 1) / 2
            }
        }
    }

    /// sum over buckets of (b + 1) * bucket[b], by a running sum from the top bucket down.
    func weightedSum() -> JacobianPoint<C> {
        var running = JacobianPoint<C>.infinity
        var total = JacobianPoint<C>.infinity
        for bucket in stride(from: start.count - 1, through: 0, by: -1) {
            if length[bucket] == 1 { running += items[start[bucket]] }
            total += running
        }
        return total
    }
}
