import Foundation
import ModelIR

/// The ai.onnx.ml operators that scikit-learn's converters (skl2onnx, onnxmltools) emit. Their attributes are circuit
/// constants. A classifier's two outputs (label, probabilities) are ordinary tensors; ZipMap passes its probability
/// tensor through unchanged (the circuit's output is the [N, classes] tensor, columns in label order).
enum MachineLearningOps {
    static let all: [any Operator] = [
        TreeEnsembleOp(), LinearModelOp(), ScalerOp(), NormalizerOp(), BinarizerOp(), ZipMapOp(), ArrayFeatureExtractorOp(),
    ]

    /// x · Wᵀ + b for an input [N, F] (or [F]) and W [K, F], as expressions.
    static func affine<T: Arithmetic>(_ node: Node, _ x: Tensor<T>, coefficients: [Double], intercepts: [Double], targets: Int) throws(ModelError) -> Tensor<T> {
        let (rows, width) = try TreeEnsemble.layout(node, x.shape)
        guard coefficients.count == targets * width else {
            throw node.error("\(coefficients.count) coefficients do not make \(targets) rows of the input's \(width) features")
        }
        guard intercepts.isEmpty || intercepts.count == targets else { throw node.error("\(intercepts.count) intercepts for \(targets) targets") }
        var elements: [T] = []
        elements.reserveCapacity(rows * targets)
        for row in 0..<rows {
            for target in 0..<targets {
                var sum = T(constant: intercepts.isEmpty ? 0 : intercepts[target])
                for feature in 0..<width where coefficients[target * width + feature] != 0 {
                    sum = sum + x.elements[row * width + feature].scaled(by: coefficients[target * width + feature])
                }
                elements.append(sum)
            }
        }
        return Tensor(shape: [rows, targets], elements: elements)
    }
}

/// LinearClassifier and LinearRegressor.
struct LinearModelOp: Operator {
    let types = ["LinearClassifier", "LinearRegressor"]

    func parse(_ node: Node) throws(ModelError) -> (coefficients: [Double], intercepts: [Double], targets: Int, head: ClassifierHead?, post: PostTransform) {
        let post = try PostTransform(node)
        guard let coefficients = try node.floats("coefficients") else { throw node.error("attribute 'coefficients' is missing") }
        if node.type == "LinearRegressor" {
            try node.allow(["coefficients", "intercepts", "targets", "post_transform"])
            return (coefficients, try node.floats("intercepts") ?? [], try node.int("targets", default: 1), nil, post)
        }
        try node.allow(["coefficients", "intercepts", "classlabels_ints", "classlabels_strings", "multi_class", "post_transform"])
        let intercepts = try node.floats("intercepts") ?? []
        let labels = try ClassifierHead.labels(node, intsKey: "classlabels_ints")
        let targets = intercepts.count
        guard targets > 0 else { throw node.error("needs intercepts (one per class)") }
        if targets == 1 {
            // One score s: label [s > 0], probabilities [1 − p, p] with p = post(s) (SOFTMAX of one score is left as s).
            guard labels.count == 2 else { throw node.error("one score needs two class labels, got \(labels.count)") }
            let single = post == .logistic ? post : PostTransform.none
            return (coefficients, intercepts, 1, ClassifierHead(labels: labels, labelRule: .above(column: 0, threshold: 0), scoreRule: .complement, post: single), post)
        }
        guard labels.count == targets else { throw node.error("\(targets) intercepts for \(labels.count) class labels") }
        return (coefficients, intercepts, targets, ClassifierHead(labels: labels, labelRule: .argmax, scoreRule: .transformed, post: post), post)
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let model = try parse(node)
        let scores = try MachineLearningOps.affine(node, try required(node, inputs, 0).doubles, coefficients: model.coefficients,
                                                   intercepts: model.intercepts, targets: model.targets)
        let rows = (0..<scores.shape[0]).map { Array(scores.elements[($0 * model.targets)..<(($0 + 1) * model.targets)]) }
        if let head = model.head { return head.evaluate(rows) }
        return [.float(Tensor(shape: scores.shape, elements: rows.flatMap(model.post.apply)))]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let model = try parse(node)
        var x = try required(node, inputs, 0)
        if case let .pending(expressions) = x, Quantizer.isWide(expressions) { x = .tensor(try quantizer.materialize(x)) }
        let scores = try MachineLearningOps.affine(node, quantizer.operand(x).expressions, coefficients: model.coefficients,
                                                   intercepts: model.intercepts, targets: model.targets)
        let id = try quantizer.materialize(.pending(scores))
        if let head = model.head { return try head.quantize(node, id, &quantizer) }
        return [try model.post.quantize(node, id, &quantizer)]
    }
}

/// (x − offset) · scale per feature (one value for all, or one per feature of the last axis). Its output is
/// materialized: standardized features are a good place to quantize, whereas folding scales that span orders of
/// magnitude (1/σ of an area next to that of a ratio) into the next layer's weights would round the small ones away.
/// The coefficients get the bits their spread needs.
struct ScalerOp: PolynomialOperator {
    let types = ["Scaler"]

    func parameterInputs(_ node: Node) -> [Int] { [] }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let scaled = try quantizer.polynomial(self, node, inputs)[0]
        if case .constant = scaled { return [scaled] }
        let magnitudes = (try node.floats("scale") ?? [1]).map(abs).filter { $0 > 0 }
        let spread = Int(log2((magnitudes.max() ?? 1) / (magnitudes.min() ?? 1)).rounded(.up))
        return [.tensor(try quantizer.materialize(scaled, coefficientBits: min(30, quantizer.settings.weightBits + max(0, spread))))]
    }

    func compute<T: Arithmetic>(_ node: Node, _ inputs: [Tensor<T>?]) throws(ModelError) -> [Tensor<T>] {
        try node.allow(["offset", "scale"])
        let x = try required(node, inputs, 0)
        let width = x.shape.last ?? 1
        let offset = try node.floats("offset") ?? [0]
        let scale = try node.floats("scale") ?? [1]
        guard [1, width].contains(offset.count), [1, width].contains(scale.count) else {
            throw node.error("offset (\(offset.count)) and scale (\(scale.count)) need 1 or \(width) values")
        }
        var result = x
        for index in result.elements.indices {
            let feature = index % width
            let o = offset[offset.count == 1 ? 0 : feature]
            let s = scale[scale.count == 1 ? 0 : feature]
            result.elements[index] = (result.elements[index] - T(constant: o)).scaled(by: s)
        }
        return [result]
    }
}

/// Normalizer: each row divided by its largest element (MAX), its sum of magnitudes (L1) or its Euclidean norm (L2).
/// A row the compiler proves non-negative needs no magnitudes; an L1 row of probabilities that a softmax made is
/// already normalized (see `FusePatterns`).
struct NormalizerOp: Operator {
    let types = ["Normalizer"]

    func norm(_ node: Node) throws(ModelError) -> String {
        try node.allow(["norm"])
        let norm = try node.string("norm", default: "MAX")
        guard ["MAX", "L1", "L2"].contains(norm) else { throw node.unsupported("norm", "MAX, L1 or L2") }
        return norm
    }

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        let norm = try norm(node)
        let x = try required(node, inputs, 0).doubles
        let width = x.shape.last ?? 1
        var result = x
        for row in 0..<(x.count / max(width, 1)) {
            let values = x.elements[(row * width)..<((row + 1) * width)]
            let divisor = norm == "MAX" ? (values.max() ?? 1) : norm == "L1" ? values.reduce(0) { $0 + abs($1) } : values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for index in values.indices { result.elements[index] = divisor == 0 ? values[index] : values[index] / divisor }
        }
        return [.float(result)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let norm = try norm(node)
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let info = quantizer.info(x)
        let width = info.shape.last ?? 1
        let rows = info.count / max(width, 1)
        let groups = (0..<rows).map { row in Array((row * width)..<((row + 1) * width)) }
        let divisor: Int
        switch norm {
        case "MAX":
            divisor = try quantizer.maximum(groups.map { $0.map { Expression.symbol(tensor: x, element: $0) } }, shape: [rows], negate: false)
        case "L1":
            let magnitudes = info.range.lowerBound >= 0 ? x : try AbsOp.magnitudes(.tensor(x), &quantizer)
            let sums = groups.map { $0.reduce(Expression.zero) { $0 + Expression(symbol: Expression.symbol(tensor: magnitudes, element: $1)) } }
            divisor = try quantizer.aligned(.pending(Tensor(shape: [rows], elements: sums)), scale: quantizer.info(magnitudes).scale)
        default:
            let squares = groups.map { $0.reduce(Expression.zero) { sum, k in
                let symbol = Expression(symbol: Expression.symbol(tensor: x, element: k))
                return sum + symbol * symbol
            } }
            divisor = try quantizer.squareRoot(.pending(Tensor(shape: [rows], elements: squares)))
        }
        let numerators = Array(0..<info.count)
        let denominators = numerators.map { $0 / max(width, 1) }
        return [.tensor(try quantizer.divide(x, numerators, by: divisor, denominators, shape: info.shape, error: nil))]
    }
}

/// Binarizer: 1 where x > threshold, else 0 (a proven comparison per element, as a float tensor).
struct BinarizerOp: Operator {
    let types = ["Binarizer"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["threshold"])
        let threshold = try node.float("threshold", default: 0)
        return [.float(try required(node, inputs, 0).doubles.map { $0 > threshold ? 1 : 0 })]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try node.allow(["threshold"])
        let threshold = try node.float("threshold", default: 0)
        let x = try quantizer.materialize(try required(node, inputs, 0))
        let info = quantizer.info(x)
        let differences = quantizer.symbols(x).map {
            ComparisonOps.thresholdDifference("Greater", $0, threshold: threshold, scale: info.scale, range: info.range)
        }
        let d = try quantizer.materialize(.pending(differences), targetScale: info.scale, exact: true)
        return [.tensor(quantizer.compare(d, test: .nonNegative, complement: false, flipMargin: ComparisonOps.flipMargin(errorBound: info.errorBound, scale: info.scale)))]
    }
}

/// ZipMap: the probability tensor itself (a sequence of maps is not a circuit value; see the family's note).
struct ZipMapOp: Operator {
    let types = ["ZipMap"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow(["classlabels_int64s", "classlabels_strings"])
        return [try required(node, inputs, 0)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try node.allow(["classlabels_int64s", "classlabels_strings"])
        return [try required(node, inputs, 0)]
    }
}

/// ArrayFeatureExtractor(X, indices): X's elements at the indices along the last axis. Constant indices select
/// (free); activation indices into a constant table (a classifier's label lookup) go through a one-hot selector.
struct ArrayFeatureExtractorOp: Operator {
    let types = ["ArrayFeatureExtractor"]

    func evaluate(_ node: Node, _ inputs: [Operand?]) throws(ModelError) -> [Operand] {
        try node.allow([])
        let x = try required(node, inputs, 0)
        let indices = try required(node, inputs, 1).integers.elements
        let width = x.shape.last ?? 1
        guard indices.allSatisfy({ (0..<width).contains($0) }) else { throw node.error("an index is outside 0..<\(width)") }
        let rows = x.count / max(width, 1)
        let sources = (0..<rows).flatMap { row in indices.map { IndexMap.source(input: 0, element: row * width + $0) } }
        return [Operand.gather([x], IndexMap(shape: Array(x.shape.dropLast()) + [indices.count], sources: sources), elementType: x.elementType)]
    }

    func quantize(_ node: Node, _ inputs: [QuantizedOperand?], _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        try node.allow([])
        let data = try required(node, inputs, 0)
        let indices = try required(node, inputs, 1)
        if case .constant = indices {
            return [quantizer.wrap(try evaluate(node, [quantizer.operand(data), quantizer.operand(indices)])[0])]
        }
        guard case let .constant(table) = data, table.shape.count <= 1 else {
            throw node.error("activation indices need a constant 1-D table")
        }
        let values = table.floatTensor.elements
        let index = try quantizer.materialize(indices)
        let shape = quantizer.info(index).shape
        if values == values.indices.map(Double.init) { return [.tensor(index)] }
        let selector = try quantizer.oneHot(index, size: values.count)
        let symbols = quantizer.symbols(selector)
        let count = quantizer.info(index).count
        let elements = (0..<count).map { position in
            values.indices.reduce(Expression.zero) { $0 + symbols.elements[position * values.count + $1].scaled(by: values[$1]) }
        }
        let id = try quantizer.materialize(.pending(Tensor(shape: shape, elements: elements)), targetScale: 0, exact: true)
        if table.elementType.isInteger { quantizer.markIndex(id) }
        return [.tensor(id)]
    }
}
