import ModelIR

/// Window geometry of N-D convolution and pooling: kernel, strides, dilations, pads (explicit or auto_pad) and
/// ceil_mode, over the spatial axes of an [N, C, D1, ..., Dk] tensor.
struct WindowGeometry {
    var input: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var padsBegin: [Int]
    var padsEnd: [Int]
    var output: [Int]

    init(_ node: Node, input: [Int], kernel: [Int], ceilMode: Bool = false) throws(ModelError) {
        let rank = input.count
        guard kernel.count == rank, kernel.allSatisfy({ $0 >= 1 }) else {
            throw node.error("kernel \(kernel) does not fit \(rank) spatial dimensions of \(input)")
        }
        self.input = input
        self.kernel = kernel
        let strides = try node.ints("strides", default: Array(repeating: 1, count: rank))
        let dilations = try node.ints("dilations", default: Array(repeating: 1, count: rank))
        self.strides = strides
        self.dilations = dilations
        guard strides.count == rank, dilations.count == rank, strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }) else {
            throw node.error("strides \(strides) and dilations \(dilations) need \(rank) positive entries")
        }
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        let extents = (0..<rank).map { (kernel[$0] - 1) * dilations[$0] + 1 }
        switch autoPad {
        case "NOTSET":
            let pads = try node.ints("pads", default: Array(repeating: 0, count: 2 * rank))
            guard pads.count == 2 * rank, pads.allSatisfy({ $0 >= 0 }) else {
                let message = "pads \(pads) need \(2 * rank) non-negative entries"
                throw node.error(message)
            }
            padsBegin = Array(pads[..<rank])
            padsEnd = Array(pads[rank...])
        case "VALID":
            padsBegin = Array(repeating: 0, count: rank)
            padsEnd = padsBegin
        case "SAME_UPPER", "SAME_LOWER":
            padsBegin = []
            padsEnd = []
            for axis in 0..<rank {
                let out = (input[axis] + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + extents[axis] - input[axis])
                let small = total / 2
                padsBegin.append(autoPad == "SAME_UPPER" ? small : total - small)
                padsEnd.append(autoPad == "SAME_UPPER" ? total - small : small)
            }
        default:
            throw node.unsupported("auto_pad", "NOTSET, VALID, SAME_UPPER or SAME_LOWER; '\(autoPad)' given")
        }
        var output: [Int] = []
        for axis in 0..<rank {
            let span = input[axis] + padsBegin[axis] + padsEnd[axis] - extents[axis]
            guard span >= 0 else { throw node.error("the window \(kernel) does not fit the input \(input) with pads \(padsBegin + padsEnd)") }
            var size = (ceilMode ? (span + strides[axis] - 1) / strides[axis] : span / strides[axis]) + 1
            // A window may not start in the end padding (PyTorch and onnxruntime drop it).
            if ceilMode && (size - 1) * strides[axis] >= input[axis] + padsBegin[axis] { size -= 1 }
            output.append(size)
        }
        self.output = output
    }

    /// For every output position (row-major), the (kernel offset, input offset) pairs of its in-bounds elements.
    func windows() -> [[(kernel: Int, input: Int)]] {
        let rank = input.count
        let inputStrides = Shape.strides(input)
        let kernelStrides = Shape.strides(kernel)
        let kernelCount = Shape.count(kernel)
        var result: [[(kernel: Int, input: Int)]] = []
        result.reserveCapacity(Shape.count(output))
        var position = [Int](repeating: 0, count: rank)
        for _ in 0..<Shape.count(output) {
            var pairs: [(kernel: Int, input: Int)] = []
            pairs.reserveCapacity(kernelCount)
            for k in 0..<kernelCount {
                var remainder = k
                var offset = 0
                var inside = true
                for axis in 0..<rank {
                    let index = remainder / kernelStrides[axis]
                    remainder -= index * kernelStrides[axis]
                    let coordinate = position[axis] * strides[axis] - padsBegin[axis] + index * dilations[axis]
                    if coordinate < 0 || coordinate >= input[axis] { inside = false; break }
                    offset += coordinate * inputStrides[axis]
                }
                if inside { pairs.append((k, offset)) }
            }
            result.append(pairs)
            Self.advance(&position, within: output)
        }
        return result
    }

    /// Per output position, how many window elements lie inside the padded input (count_include_pad's divisor).
    func paddedCounts() -> [Int] {
        let rank = input.count
        var result: [Int] = []
        var position = [Int](repeating: 0, count: rank)
        for _ in 0..<Shape.count(output) {
            var count = 1
            for axis in 0..<rank {
                var inside = 0
                for index in 0..<kernel[axis] {
                    let coordinate = position[axis] * strides[axis] - padsBegin[axis] + index * dilations[axis]
                    if coordinate >= -padsBegin[axis] && coordinate < input[axis] + padsEnd[axis] { inside += 1 }
                }
                count *= inside
            }
            result.append(count)
            Self.advance(&position, within: output)
        }
        return result
    }

    /// The next row-major position within `shape` (wrapping to zeros after the last).
    static func advance(_ position: inout [Int], within shape: [Int]) {
        var axis = shape.count - 1
        while axis >= 0 {
            position[axis] += 1
            if position[axis] < shape[axis] { return }
            position[axis] = 0
            axis -= 1
        }
    }
}
