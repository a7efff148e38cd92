import ModelIR

/// Rewrites a node written for an older opset into its newest form, in one place: attributes that later became
/// inputs (Reshape's shape, Slice's starts/ends/axes, Pad's pads and value, Clip's min/max, Squeeze/Unsqueeze,
/// ReduceSum (13) and the other Reduce* (18) axes, Split's sizes) move into constant inputs; Upsample and opset-10
/// Resize become Resize; attributes that lost their meaning (is_test, consumed_inputs, Dropout's ratio) are dropped.
public enum OpsetNormalization {
    public static func normalize(_ node: Node, opset: Int, constants: inout [String: ConstantTensor]) throws(ModelError) -> [Node] {
        var node = node
        node.attributes["consumed_inputs"] = nil
        node.attributes["is_test"] = nil

        /// Moves an integer-list attribute into input `position` (missing inputs before it become empty names).
        func moveInts(_ attribute: String, to position: Int) throws(ModelError) {
            guard let values = try node.ints(attribute) else { return }
            node.attributes[attribute] = nil
            setInput(position, .integer(Tensor(shape: [values.count], elements: values), .int64), suffix: attribute)
        }
        func setInput(_ position: Int, _ value: ConstantTensor, suffix: String) {
            let name = "\(node.name).\(suffix)"
            constants[name] = value
            while node.inputs.count <= position { node.inputs.append("") }
            node.inputs[position] = name
        }

        switch node.type {
        case "Reshape" where opset < 5:
            try moveInts("shape", to: 1)
        case "Slice" where opset < 10:
            try moveInts("starts", to: 1)
            try moveInts("ends", to: 2)
            try moveInts("axes", to: 3)
        case "Pad" where opset < 11:
            if node.has("paddings") {
                node.attributes["pads"] = node.attributes["paddings"]
                node.attributes["paddings"] = nil
            }
            try moveInts("pads", to: 1)
            let value = try node.float("value", default: 0)
            node.attributes["value"] = nil
            setInput(2, .float(Tensor(shape: [], elements: [value])), suffix: "value")
        case "Clip" where opset < 11:
            let low = node.has("min") ? try node.float("min", default: 0) : nil
            let high = node.has("max") ? try node.float("max", default: 0) : nil
            node.attributes["min"] = nil
            node.attributes["max"] = nil
            if let low { setInput(1, .float(Tensor(shape: [], elements: [low])), suffix: "min") }
            if let high { setInput(2, .float(Tensor(shape: [], elements: [high])), suffix: "max") }
        case "Squeeze" where opset < 13, "Unsqueeze" where opset < 13, "ReduceSum" where opset < 13:
            try moveInts("axes", to: 1)
        case "ReduceMean" where opset < 18, "ReduceMax" where opset < 18, "ReduceMin" where opset < 18, "ReduceProd" where opset < 18,
             "ReduceSumSquare" where opset < 18, "ReduceL1" where opset < 18, "ReduceL2" where opset < 18,
             "ReduceLogSum" where opset < 18, "ReduceLogSumExp" where opset < 18:
            try moveInts("axes", to: 1)
        case "Split" where opset < 13:
            try moveInts("split", to: 1)
        case "Dropout":
            node.attributes["ratio"] = nil
        case "Gemm" where opset < 7:
            node.attributes["broadcast"] = nil
        case "Softmax" where opset < 13, "LogSoftmax" where opset < 13:
            // Before opset 13 the input is coerced to 2-D at `axis` (default 1) and normalized over all later axes.
            node.attributes["axis"] = .int(try node.int("axis", default: 1))
            node.attributes["coerce_2d"] = .int(1)
        case "Upsample":
            let mode = try node.string("mode", default: "nearest")
            var resize = Node(name: node.name, type: "Resize", inputs: [node.inputs[0], ""], outputs: node.outputs,
                              attributes: ["mode": .string(mode), "coordinate_transformation_mode": .string("asymmetric"),
                                           "nearest_mode": .string("floor")])
            if let scales = try node.floats("scales") {
                constants["\(node.name).scales"] = .float(Tensor(shape: [scales.count], elements: scales))
                resize.inputs.append("\(node.name).scales")
            } else if let scales = node.input(1) {
                resize.inputs.append(scales)
            }
            return [resize]
        case "Resize" where opset < 11:
            var resize = node
            resize.inputs = [node.inputs[0], ""] + Array(node.inputs.dropFirst())
            resize.attributes["coordinate_transformation_mode"] = .string("asymmetric")
            resize.attributes["nearest_mode"] = .string("floor")
            return [resize]
        default:
            break
        }
        return [node]
    }
}
