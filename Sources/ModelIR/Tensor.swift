/// A dense row-major tensor of any rank; a scalar has shape [].
public struct Tensor<Element> {
    public var shape: [Int]
    public var elements: [Element]

    public init(shape: [Int], elements: [Element]) {
        precondition(shape.reduce(1, *) == elements.count, "\(elements.count) elements for shape \(shape)")
        self.shape = shape
        self.elements = elements
    }

    public init(shape: [Int], repeating value: Element) {
        self.init(shape: shape, elements: Array(repeating: value, count: shape.reduce(1, *)))
    }

    public var count: Int { elements.count }
    public var rank: Int { shape.count }
    public var strides: [Int] { Shape.strides(shape) }

    public func map<Other>(_ transform: (Element) throws -> Other) rethrows -> Tensor<Other> {
        Tensor<Other>(shape: shape, elements: try elements.map(transform))
    }

    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, elements: elements)
    }
}

extension Tensor: Sendable where Element: Sendable {}
extension Tensor: Equatable where Element: Equatable {}
extension Tensor: Hashable where Element: Hashable {}
extension Tensor: Codable where Element: Codable {
    enum CodingKeys: String, CodingKey { case shape, values }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let values = try container.decode([Element].self, forKey: .values)
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .values, in: container, debugDescription: "\(values.count) values for shape \(shape)")
        }
        self.init(shape: shape, elements: values)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape, forKey: .shape)
        try container.encode(elements, forKey: .values)
    }
}

/// Shape arithmetic shared by the ops.
public enum Shape {
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// numpy broadcasting of several shapes, or nil when they do not broadcast.
    public static func broadcast(_ shapes: [[Int]]) -> [Int]? {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (axis, size) in shape.enumerated() {
                let current = result[offset + axis]
                if current == size || size == 1 { continue }
                guard current == 1 else { return nil }
                result[offset + axis] = size
            }
        }
        return result
    }

    /// For each element of `target` (a broadcast of `shape`), the flat index of the source element.
    public static func broadcastIndices(from shape: [Int], to target: [Int]) -> [Int] {
        let count = Shape.count(target)
        if shape == target { return Array(0..<count) }
        let offset = target.count - shape.count
        let sourceStrides = strides(shape)
        let targetStrides = strides(target)
        var indices = [Int](repeating: 0, count: count)
        for flat in 0..<count {
            var remainder = flat
            var source = 0
            for axis in target.indices {
                let coordinate = remainder / targetStrides[axis]
                remainder -= coordinate * targetStrides[axis]
                if axis >= offset, shape[axis - offset] != 1 { source += coordinate * sourceStrides[axis - offset] }
            }
            indices[flat] = source
        }
        return indices
    }

    /// An axis in [-rank, rank) made non-negative, or nil when out of range.
    public static func normalize(axis: Int, rank: Int) -> Int? {
        let value = axis < 0 ? axis + rank : axis
        return (0..<max(rank, 1)).contains(value) || (rank == 0 && value == 0) ? value : nil
    }
}
