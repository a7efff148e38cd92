import Foundation
import Gadgets

/// A polynomial table for one function, input range and pair of scales, with its error computed over every integer
/// input of the range.
public struct FittedTable: Sendable, Hashable, Codable {
    public var table: PolynomialTable
    /// Whether inputs can fall below or above the table (and so need a comparison each).
    public var clampLower: Bool
    public var clampUpper: Bool
    /// max |table(x)/2^outputScale − f(x/2^inputScale)| over every integer x of the input range.
    public var maximumError: Double
    /// Every integer the table returns on the input range.
    public var outputRange: ClosedRange<Int>
    /// The gadget's constraints per element, as `polynomialTable` documents them.
    public var cost: Int
}

struct FittingProblem: Error { var message: String }

/// Chooses, for a function on an integer input range, the cheapest table (segment size, degree) whose exhaustively
/// measured error meets the target: tails where the function is within 1/8 of an output unit of its asymptote,
/// near-minimax coefficients (interpolation at Chebyshev nodes) per segment.
enum FunctionFitting {
    /// Tables are evaluated exhaustively: wider ranges are refused.
    static let widthLimit = 1 << 22

    static func fit(
        _ function: RealFunction, inputRange: ClosedRange<Int>, inputScale: Int, outputScale: Int, target: Double? = nil
    ) throws(FittingProblem) -> FittedTable {
        let inputUnit = pow(2, Double(inputScale))
        let outputUnit = pow(2, Double(outputScale))
        let target = target ?? 1 / outputUnit
        func real(_ x: Int) -> Double { function(Double(x) / inputUnit) }
        let (low, high) = (inputRange.lowerBound, inputRange.upperBound)

        // The table's domain: where the function is not yet on its asymptote (within 1/8 unit).
        let tolerance = 0.125 / outputUnit
        let far = Int(64 * inputUnit)
        var lower = low
        var upper = high
        func onAsymptote(_ x: Int, _ asymptote: (slope: Double, intercept: Double)) -> Bool {
            abs(real(x) - (asymptote.slope * Double(x) / inputUnit + asymptote.intercept)) <= tolerance
        }
        if let asymptote = function.asymptotes.lower {
            let start = max(low, -far)
            var x = start
            while x < high, onAsymptote(x, asymptote) { x += 1 }
            lower = x > start ? x - 1 : low
        }
        if let asymptote = function.asymptotes.upper {
            let start = min(high, far)
            var x = start
            while x > lower, onAsymptote(x, asymptote) { x -= 1 }
            upper = x < start ? x + 1 : high
        }
        upper = max(upper, lower)
        let width = upper - lower + 1
        guard width <= widthLimit else {
            throw FittingProblem(message: "\(function.name) needs a table over \(width) inputs (\(Double(lower) / inputUnit)...\(Double(upper) / inputUnit) at scale \(inputScale)); narrow the input range or lower the activation scale")
        }

        // The inputs the error is measured on: all of them, or all within 2^20 of the table and the range's ends
        // (the tails are linear, so their gap to the asymptote is monotone beyond that).
        var points: [Int]
        if high - low < widthLimit + (1 << 21) {
            points = Array(low...high)
        } else {
            points = Array(max(low, lower - (1 << 20))...min(high, upper + (1 << 20)))
            if points.first != low { points.insert(low, at: 0) }
            if points.last != high { points.append(high) }
        }
        let exact = points.map(real)

        let lowerSlope = function.asymptotes.lower?.slope ?? 0
        let upperSlope = function.asymptotes.upper?.slope ?? 0
        let slopeScale = pow(2, Double(outputScale - inputScale))
        let slopesExact = [lowerSlope, upperSlope].allSatisfy { ($0 * slopeScale) == ($0 * slopeScale).rounded() }
        let magnitude = exact.map(abs).max() ?? 0
        let outputBits = BitWidth.unsigned(Int((magnitude * outputUnit).rounded(.up)) + 2) + 1
        let inputBits = BitWidth.signed(inputRange)
        let clampLower = low < lower
        let clampUpper = high > upper
        let clampCost = (clampLower ? inputBits + 3 : 0) + (clampUpper ? inputBits + 3 : 0)

        struct Candidate { var degree: Int, segmentLog: Int, shift: Int, cost: Int }
        var candidates: [Candidate] = []
        for segmentLog in 0...20 {
            let segments = (width - 1) >> segmentLog + 1
            guard segments <= 4096 else { continue }
            for degree in 0...min(3, (1 << segmentLog) - 1) {
                var shift = degree * segmentLog + 4 + max(0, inputScale - outputScale)
                if degree == 0 && segmentLog == 0 && slopesExact { shift = 0 }
                let cost = segments + 1 + (segmentLog > 0 ? segmentLog + 1 : 1) + max(0, 2 * degree - 1)
                    + (shift > 0 ? shift + outputBits + 2 : 0) + clampCost
                candidates.append(Candidate(degree: degree, segmentLog: segmentLog, shift: shift, cost: cost))
            }
            if (width - 1) >> segmentLog == 0 { break }
        }
        candidates.sort { ($0.cost, $0.degree) < ($1.cost, $1.degree) }

        var best: FittedTable?
        for candidate in candidates {
            guard let table = makeTable(
                function, lower: lower, upper: upper, candidate.segmentLog, candidate.degree, candidate.shift,
                slopes: (lowerSlope, upperSlope), inputScale: inputScale, outputScale: outputScale, inputRange: inputRange)
            else { continue }
            var worst = 0.0
            var smallest = Int.max
            var largest = Int.min
            for (x, value) in zip(points, exact) {
                let y = table.evaluate(x)
                worst = max(worst, abs(Double(y) / outputUnit - value))
                smallest = min(smallest, y)
                largest = max(largest, y)
            }
            let fitted = FittedTable(
                table: table, clampLower: clampLower, clampUpper: clampUpper, maximumError: worst, outputRange: smallest...largest,
                cost: candidate.cost - outputBits + BitWidth.signed(smallest...largest))
            if worst <= target { return fitted }
            if best == nil || worst < best!.maximumError { best = fitted }
        }
        guard let best else { throw FittingProblem(message: "no table for \(function.name) fits 64-bit arithmetic at these scales") }
        return best
    }

    /// Coefficients interpolating f at Chebyshev nodes of each segment, rounded to `shift` fractional bits; nil when the
    /// accumulator could leave 2^61.
    static func makeTable(
        _ function: RealFunction, lower: Int, upper: Int, _ segmentLog: Int, _ degree: Int, _ shift: Int,
        slopes: (Double, Double), inputScale: Int, outputScale: Int, inputRange: ClosedRange<Int>
    ) -> PolynomialTable? {
        let inputUnit = pow(2, Double(inputScale))
        let outputUnit = pow(2, Double(outputScale))
        let scale = pow(2, Double(shift))
        let segments = (upper - lower) >> segmentLog + 1
        var coefficients: [[Int]] = []
        var bound = 0.0
        for segment in 0..<segments {
            let start = lower + segment << segmentLog
            let count = min(1 << segmentLog, upper - start + 1)
            let span = Double(max(1, count - 1))
            let nodes = min(degree, count - 1) + 1
            // Chebyshev nodes on [0, count − 1], solved for p(l) = Σ bⱼ (l/span)ʲ.
            var matrix: [[Double]] = []
            var values: [Double] = []
            for k in 0..<nodes {
                let u = nodes == 1 ? 0.5 : 0.5 * (1 - cos(Double(2 * k + 1) * Double.pi / Double(2 * nodes)))
                let l = count == 1 ? 0 : u * span
                matrix.append((0..<nodes).map { pow(u, Double($0)) })
                values.append(function((Double(start) + l) / inputUnit) * outputUnit)
            }
            guard let solution = solve(matrix, values) else { return nil }
            var row = [Int](repeating: 0, count: degree + 1)
            var rowBound = 0.0
            for (j, b) in solution.enumerated() {
                let a = b / pow(span, Double(j)) * scale
                guard abs(a) < 0x1p62 else { return nil }
                row[j] = Int(a.rounded())
                rowBound += abs(a) * pow(Double(1 << segmentLog), Double(j))
            }
            bound = max(bound, rowBound)
            coefficients.append(row)
        }
        let slopeUnit = scale * pow(2, Double(outputScale - inputScale))
        let lowerSlope = (slopes.0 * slopeUnit).rounded()
        let upperSlope = (slopes.1 * slopeUnit).rounded()
        bound += abs(lowerSlope) * Double(max(0, lower - inputRange.lowerBound)) + abs(upperSlope) * Double(max(0, inputRange.upperBound - upper))
        guard bound < 0x1p61 else { return nil }
        return PolynomialTable(
            lowerBound: lower, upperBound: upper, segmentLog: segmentLog, coefficients: coefficients, shift: shift,
            lowerSlope: Int(lowerSlope), upperSlope: Int(upperSlope))
    }

    /// Gaussian elimination with partial pivoting.
    static func solve(_ matrix: [[Double]], _ values: [Double]) -> [Double]? {
        var a = matrix
        var b = values
        let n = b.count
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }), abs(a[pivot][column]) > 1e-300 else { return nil }
            a.swapAt(column, pivot)
            b.swapAt(column, pivot)
            for row in (column + 1)..<max(column + 1, n) {
                let factor = a[row][column] / a[column][column]
                for k in column..<n { a[row][k] -= factor * a[column][k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(row + 1, n) { sum -= a[row][k] * x[k] }
            x[row] = sum / a[row][row]
        }
        return x
    }
}
