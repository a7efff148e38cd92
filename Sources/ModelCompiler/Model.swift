/// A dense tensor of real numbers, row-major.
public struct Tensor: Sendable, Hashable, Codable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }

    public var count: Int { shape.reduce(1, *) }
}

/// Convolution and pooling geometry over [channels, height, width] tensors.
public struct WindowGeometry: Sendable, Hashable, Codable {
    public var kernel: [Int]
    public var strides: [Int]
    /// top, left, bottom, right
    public var pads: [Int]

    public init(kernel: [Int], strides: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0]) {
        self.kernel = kernel
        self.strides = strides
        self.pads = pads
    }

    /// Output height and width for an input of the given height and width, or nil when the window does not fit.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        let paddedHeight = height + pads[0] + pads[2] - kernel[0]
        let paddedWidth = width + pads[1] + pads[3] - kernel[1]
        guard paddedHeight >= 0, paddedWidth >= 0 else { return nil }
        return (paddedHeight / strides[0] + 1, paddedWidth / strides[1] + 1)
    }

    /// The in-bounds input positions (row, column) of the window at output position (row, column).
    public func window(row: Int, column: Int, height: Int, width: Int) -> [(Int, Int)] {
        var positions: [(Int, Int)] = []
        for dy in 0..<kernel[0] {
            let y = row * strides[0] - pads[0] + dy
            guard y >= 0 && y < height else { continue }
            for dx in 0..<kernel[1] {
                let x = column * strides[1] - pads[1] + dx
                if x >= 0 && x < width { positions.append((y, x)) }
            }
        }
        return positions
    }
}

/// The operations of the model IR. Tensors carry no batch dimension: a [1, 784] ONNX input is [784] here,
/// and images are [channels, height, width].
public enum NodeOperation: Sendable, Hashable {
    /// y = W·x + b with W of shape [out, in] and x of shape [in].
    case dense(weight: Tensor, bias: Tensor?)
    /// Weights [out channels, in channels, kh, kw]; dilation 1, one group.
    case conv2d(weight: Tensor, bias: Tensor?, geometry: WindowGeometry)
    /// Per-channel (scale·(x − mean)/√(variance + ε) + bias); folded into a preceding Dense or Conv.
    case batchNorm(scale: [Double], bias: [Double], mean: [Double], variance: [Double], epsilon: Double)
    case relu
    case maxPool(WindowGeometry)
    /// Windows divide by their in-bounds count unless `countIncludePad`.
    case averagePool(WindowGeometry, countIncludePad: Bool)
    case globalAveragePool
    case flatten
    /// A new shape with the same element count; one entry may be −1.
    case reshape([Int])
    /// Element-wise sum of two tensors of the same shape (a residual connection).
    case add
    case sigmoid
    case tanh
    /// The index of the largest element (the first on ties); the model's output head.
    case argmax

    public var name: String {
        switch self {
        case .dense: "dense"
        case .conv2d: "conv2d"
        case .batchNorm: "batchnorm"
        case .relu: "relu"
        case .maxPool: "maxpool2d"
        case .averagePool: "averagepool2d"
        case .globalAveragePool: "globalaveragepool"
        case .flatten: "flatten"
        case .reshape: "reshape"
        case .add: "add"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .argmax: "argmax"
        }
    }

    public var inputCount: Int { self == .add ? 2 : 1 }
}

public struct Node: Sendable, Hashable {
    public var name: String
    public var operation: NodeOperation
    public var inputs: [String]
    public var output: String

    public init(name: String, operation: NodeOperation, inputs: [String], output: String) {
        self.name = name
        self.operation = operation
        self.inputs = inputs
        self.output = output
    }
}

/// A neural network as a list of nodes in topological order, with one input and one output tensor.
public struct Model: Sendable, Hashable {
    public var name: String
    public var inputName: String
    public var inputShape: [Int]
    /// The real interval every input element lies in; the circuit range-checks inputs against it.
    public var inputRange: ClosedRange<Double>
    public var nodes: [Node]
    public var output: String

    public init(name: String, inputName: String, inputShape: [Int], inputRange: ClosedRange<Double>, nodes: [Node], output: String) {
        self.name = name
        self.inputName = inputName
        self.inputShape = inputShape
        self.inputRange = inputRange
        self.nodes = nodes
        self.output = output
    }
}

/// A model that cannot be compiled, naming the node (when there is one) and the problem.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var node: String?
    public var problem: String

    public init(node: String? = nil, _ problem: String) {
        self.node = node
        self.problem = problem
    }

    public var description: String { node.map { "node '\($0)': \(problem)" } ?? problem }
}
