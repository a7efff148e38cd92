import ModelIR

/// Convolutions over 1 to 3 (or more) spatial axes, with groups (depthwise included), dilations, strides, pads and
/// auto_pad; with constant weights they cost only their rescale.
enum ConvolutionOps {
    static let all: [any Operator] = [ConvOp(), ConvTransposeOp()]
}

struct ConvOp: PolynomialOperator {
    let types = ["Conv"]
    var isContraction: Bool { true }

    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        guard inputs.count > 1, let weight = inputs[1] else { return outputs.first?.count ?? 0 }
        return (outputs.first?.count ?? 0) * weight.count / max(weight.shape.first ?? 1, 1)
    }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"])
        let x = try required(node, inputs, 0)
        let w = try required(node, inputs, 1)
        guard x.rank >= 3, w.rank == x.rank else { throw node.error("input \(x.shape) and weight \(w.shape) need the same rank, at least 3") }
        let group = try node.int("group", default: 1)
        let (batch, channels) = (x.shape[0], x.shape[1])
        let outputs = w.shape[0]
        guard group >= 1, channels % group == 0, outputs % group == 0, w.shape[1] == channels / group else {
            throw node.error("weight \(w.shape) does not match \(channels) input channels in \(group) groups")
        }
        let kernel = Array(w.shape[2...])
        if let given = try node.ints("kernel_shape"), given != kernel { throw node.error("kernel_shape \(given) does not match the weight \(w.shape)") }
        let geometry = try WindowGeometry(node, input: Array(x.shape[2...]), kernel: kernel)
        let bias = inputs.count > 2 ? inputs[2] : nil
        if let bias, bias.count != outputs { throw node.error("bias has \(bias.count) values for \(outputs) output channels") }
        let windows = geometry.windows()
        let spatialIn = Shape.count(geometry.input)
        let spatialOut = Shape.count(geometry.output)
        let kernelCount = Shape.count(kernel)
        let perGroupIn = channels / group
        let perGroupOut = outputs / group
        var elements: [T] = []
        elements.reserveCapacity(batch * outputs * spatialOut)
        for n in 0..<batch {
            for m in 0..<outputs {
                let g = m / perGroupOut
                for position in 0..<spatialOut {
                    var sum = bias?.elements[m] ?? T.zero
                    for c in 0..<perGroupIn {
                        let inputBase = (n * channels + g * perGroupIn + c) * spatialIn
                        let weightBase = (m * perGroupIn + c) * kernelCount
                        for pair in windows[position] {
                            sum += x.elements[inputBase + pair.input] * w.elements[weightBase + pair.kernel]
                        }
                    }
                    elements.append(sum)
                }
            }
        }
        return [Tensor(shape: [batch, outputs] + geometry.output, elements: elements)]
    }
}

/// The transpose (gradient) of Conv: every input element scatters through the kernel into the output.
struct ConvTransposeOp: PolynomialOperator {
    let types = ["ConvTranspose"]
    var isContraction: Bool { true }

    func work(_ node: Node, inputs: [TensorType?], outputs: [TensorType]) -> Int {
        (inputs.first??.count ?? 0) * (inputs.count > 1 ? inputs[1]?.count ?? 1 : 1) / max(inputs.first??.shape.dropFirst().first ?? 1, 1)
    }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad", "output_padding", "output_shape"])
        let x = try required(node, inputs, 0)
        let w = try required(node, inputs, 1)
        guard x.rank >= 3, w.rank == x.rank else { throw node.error("input \(x.shape) and weight \(w.shape) need the same rank, at least 3") }
        let rank = x.rank - 2
        let group = try node.int("group", default: 1)
        let (batch, channels) = (x.shape[0], x.shape[1])
        guard group >= 1, channels % group == 0, w.shape[0] == channels else { throw node.error("weight \(w.shape) does not match \(channels) input channels") }
        let perGroupOut = w.shape[1]
        let outputs = perGroupOut * group
        let kernel = Array(w.shape[2...])
        let strides = try node.ints("strides", default: Array(repeating: 1, count: rank))
        let dilations = try node.ints("dilations", default: Array(repeating: 1, count: rank))
        let outputPadding = try node.ints("output_padding", default: Array(repeating: 0, count: rank))
        guard strides.count == rank, dilations.count == rank, outputPadding.count == rank else { throw node.error("strides, dilations and output_padding need \(rank) entries") }
        let spatial = Array(x.shape[2...])
        var pads = try node.ints("pads", default: Array(repeating: 0, count: 2 * rank))
        guard pads.count == 2 * rank else { throw node.error("pads need \(2 * rank) entries") }
        var full: [Int] = []
        for axis in 0..<rank {
            let extent: Int = (kernel[axis] - 1) * dilations[axis] + 1
            let span: Int = strides[axis] * (spatial[axis] - 1)
            full.append(span + outputPadding[axis] + extent)
        }
        var output: [Int] = []
        for axis in 0..<rank { output.append(full[axis] - pads[axis] - pads[axis + rank]) }
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        if let shape = try node.ints("output_shape") {
            let target = Array(shape.suffix(rank))
            for axis in 0..<rank {
                let total = max(0, full[axis] - target[axis])
                pads[axis] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                pads[axis + rank] = total - pads[axis]
            }
            output = target
        } else if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
            for axis in 0..<rank {
                let target = spatial[axis] * strides[axis]
                let total = max(0, full[axis] - target)
                pads[axis] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                pads[axis + rank] = total - pads[axis]
                output[axis] = target
            }
        }
        guard output.allSatisfy({ $0 >= 1 }) else { throw node.error("the output would be empty (\(output))") }
        let bias = inputs.count > 2 ? inputs[2] : nil
        if let bias, bias.count != outputs { throw node.error("bias has \(bias.count) values for \(outputs) output channels") }
        let outputStrides = Shape.strides(output)
        let inputStrides = Shape.strides(spatial)
        let kernelStrides = Shape.strides(kernel)
        let spatialOut = Shape.count(output)
        var elements = [T](repeating: T.zero, count: batch * outputs * spatialOut)
        let perGroupIn = channels / group
        for n in 0..<batch {
            for m in 0..<outputs {
                let base = (n * outputs + m) * spatialOut
                if let bias { for position in 0..<spatialOut { elements[base + position] = bias.elements[m] } }
            }
            for c in 0..<channels {
                let g = c / perGroupIn
                for position in 0..<Shape.count(spatial) {
                    let xValue = x.elements[(n * channels + c) * Shape.count(spatial) + position]
                    for k in 0..<Shape.count(kernel) {
                        var offset = 0
                        var inside = true
                        for axis in 0..<rank {
                            let i: Int = (position / inputStrides[axis]) % spatial[axis]
                            let kk: Int = (k / kernelStrides[axis]) % kernel[axis]
                            let o: Int = i * strides[axis] + kk * dilations[axis] - pads[axis]
                            if o < 0 || o >= output[axis] { inside = false; break }
                            offset += o * outputStrides[axis]
                        }
                        guard inside else { continue }
                        for mo in 0..<perGroupOut {
                            let m = g * perGroupOut + mo
                            elements[(n * outputs + m) * spatialOut + offset] += xValue * w.elements[(c * perGroupOut + mo) * Shape.count(kernel) + k]
                        }
                    }
                }
            }
        }
        return [Tensor(shape: [batch, outputs] + output, elements: elements)]
    }
}
