/// A linear layer in sparse form: output i = Σ weight·input[index] + bias[i]. Dense, Conv2D and a
/// per-channel affine (batch normalisation) all lower to it, so interpreters and the circuit share one path.
public struct LinearMap<Weight: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public struct Term: Sendable, Hashable, Codable {
        public var index: Int
        public var weight: Weight
    }

    public var rows: [[Term]]
    public var bias: [Weight]

    public init(rows: [[Term]], bias: [Weight]) {
        precondition(rows.count == bias.count)
        self.rows = rows
        self.bias = bias
    }

    public func mapWeights<Other>(_ transform: (Weight) throws -> Other) rethrows -> LinearMap<Other> {
        LinearMap<Other>(
            rows: try rows.map { row in try row.map { LinearMap<Other>.Term(index: $0.index, weight: try transform($0.weight)) } },
            bias: try bias.map(transform))
    }
}

extension LinearMap where Weight == Double {
    public func apply(_ input: [Double]) -> [Double] {
        zip(rows, bias).map { row, bias in row.reduce(bias) { $0 + $1.weight * input[$1.index] } }
    }

    /// The linear map of a Dense, Conv2D or BatchNorm node applied to an input of `inputShape`.
    static func of(_ operation: NodeOperation, inputShape: [Int]) -> LinearMap<Double>? {
        LinearStructure.of(operation, inputShape: inputShape).map { structure, parameters in structure.map(parameters) }
    }
}

extension LinearMap where Weight == Int {
    public func apply(_ input: [Int]) -> [Int] {
        zip(rows, bias).map { row, bias in row.reduce(bias) { $0 + $1.weight * input[$1.index] } }
    }
}

/// The flattened input indices of each pooling window over a [channels, height, width] tensor, and each
/// window's divisor for averaging.
struct PoolWindows {
    var windows: [[Int]]
    var divisors: [Int]

    init(shape: [Int], geometry: WindowGeometry, countIncludePad: Bool = false) {
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let size = geometry.outputSize(height: height, width: width)!
        windows = []
        divisors = []
        for c in 0..<channels {
            for y in 0..<size.height {
                for x in 0..<size.width {
                    let positions = geometry.window(row: y, column: x, height: height, width: width)
                    windows.append(positions.map { (c * height + $0.0) * width + $0.1 })
                    divisors.append(countIncludePad ? geometry.kernel[0] * geometry.kernel[1] : positions.count)
                }
            }
        }
    }

    /// One window per channel covering the whole plane.
    init(globalOver shape: [Int]) {
        let plane = shape[1] * shape[2]
        windows = (0..<shape[0]).map { c in Array(c * plane..<(c + 1) * plane) }
        divisors = Array(repeating: plane, count: shape[0])
    }
}
