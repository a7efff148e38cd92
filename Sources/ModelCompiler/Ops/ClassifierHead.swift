import Foundation
import ModelIR

/// The `post_transform` of the ai.onnx.ml classifiers and regressors.
enum PostTransform: String {
    case none = "NONE", logistic = "LOGISTIC", softmax = "SOFTMAX"

    init(_ node: Node) throws(ModelError) {
        let name = try node.string("post_transform", default: "NONE")
        guard let transform = PostTransform(rawValue: name) else {
            throw node.unsupported("post_transform", "NONE, LOGISTIC or SOFTMAX; '\(name)' is not implemented")
        }
        self = transform
    }

    func apply(_ row: [Double]) -> [Double] {
        switch self {
        case .none: return row
        case .logistic: return row.map { 1 / (1 + Foundation.exp(-$0)) }
        case .softmax:
            let largest = row.max() ?? 0
            let exps = row.map { Foundation.exp($0 - largest) }
            let sum = exps.reduce(0, +)
            return exps.map { $0 / sum }
        }
    }

    /// The transform of a materialized [N, K] score tensor, through the default-domain Sigmoid and Softmax.
    func quantize(_ node: Node, _ scores: Int, _ quantizer: inout Quantizer) throws(ModelError) -> QuantizedOperand {
        switch self {
        case .none: return .tensor(scores)
        case .logistic: return .tensor(try quantizer.function(scores, RealFunction(.sigmoid)))
        case .softmax:
            let softmax = Node(name: node.name, type: "Softmax", inputs: [""], outputs: [""], attributes: ["axis": .int(-1)])
            return try SoftmaxOp().quantize(softmax, [.tensor(scores)], &quantizer)[0]
        }
    }
}

/// How a classifier turns its raw scores [N, K] into a label and a probability tensor, as onnxruntime does for the
/// exporters' forms: the first largest score's class, or (one score s) a threshold on s with the probabilities
/// [1 − p, p] for p = post(s), or [−s, s] for mixed-sign tree weights without a transform.
struct ClassifierHead {
    enum LabelRule { case argmax, above(column: Int, threshold: Double) }
    enum ScoreRule { case transformed, complement, negation }

    var labels: [Int]
    var labelRule: LabelRule
    var scoreRule: ScoreRule
    var post: PostTransform

    /// Class labels: classlabels_int64s (or _ints), else the indices of classlabels_strings (a string label is
    /// returned as its index).
    static func labels(_ node: Node, intsKey: String) throws(ModelError) -> [Int] {
        if let ints = try node.ints(intsKey) { return ints }
        if let strings = try node.strings("classlabels_strings") { return Array(strings.indices) }
        throw node.error("needs \(intsKey) or classlabels_strings")
    }

    /// The label's class index and the probability row for one row of raw scores.
    func evaluate(_ scores: [Double]) -> (Int, [Double]) {
        let index: Int
        switch labelRule {
        case .argmax: index = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
        case let .above(column, threshold): index = scores[column] > threshold ? 1 : 0
        }
        switch scoreRule {
        case .transformed: return (index, post.apply(scores))
        case .complement:
            let p = post.apply(scores)[0]
            return (index, [1 - p, p])
        case .negation: return (index, [-scores[0], scores[0]])
        }
    }

    /// Float outputs: labels [N] (int64) and probabilities [N, K'].
    func evaluate(_ rows: [[Double]]) -> [Operand] {
        let results = rows.map(evaluate)
        let width = results.first?.1.count ?? 0
        return [.integer(Tensor(shape: [rows.count], elements: results.map { labels[$0.0] }), .int64),
                .float(Tensor(shape: [rows.count, width], elements: results.flatMap(\.1)))]
    }

    /// Circuit outputs from materialized raw scores [N, K]: the label through the argmax or comparison gadget, the
    /// probabilities through the transform.
    func quantize(_ node: Node, _ scores: Int, _ quantizer: inout Quantizer) throws(ModelError) -> [QuantizedOperand] {
        let info = quantizer.info(scores)
        let (rows, width) = (info.shape[0], info.shape[1])
        let index: Int
        switch labelRule {
        case .argmax:
            let windows = (0..<rows).map { row in (0..<width).map { Expression.symbol(tensor: scores, element: row * width + $0) } }
            index = try quantizer.argmax(windows, shape: [rows], negate: false, selectLast: false)
        case let .above(column, threshold):
            let differences = (0..<rows).map { row in
                ComparisonOps.thresholdDifference("Greater", Expression(symbol: Expression.symbol(tensor: scores, element: row * width + column)),
                                                  threshold: threshold, scale: info.scale, range: info.range)
            }
            let d = try quantizer.materialize(.pending(Tensor(shape: [rows], elements: differences)), targetScale: info.scale, exact: true)
            index = quantizer.compare(d, test: .nonNegative, complement: false, flipMargin: ComparisonOps.flipMargin(errorBound: info.errorBound, scale: info.scale))
        }
        var label = index
        if labels != Array(labels.indices) {
            let mapped: Tensor<Expression>
            if labels.count == 2 {
                mapped = quantizer.symbols(index).map { Expression(constant: Double(labels[0])) + $0.scaled(by: Double(labels[1] - labels[0])) }
            } else {
                let selector = try quantizer.oneHot(index, size: labels.count)
                let symbols = quantizer.symbols(selector)
                mapped = Tensor(shape: [rows], elements: (0..<rows).map { row in
                    labels.indices.reduce(Expression.zero) { $0 + symbols.elements[row * labels.count + $1].scaled(by: Double(labels[$1])) }
                })
            }
            label = try quantizer.materialize(.pending(mapped), targetScale: 0, exact: true)
            quantizer.markIndex(label)
        }
        let probabilities: QuantizedOperand
        switch scoreRule {
        case .transformed:
            probabilities = try post.quantize(node, scores, &quantizer)
        case .complement:
            let transformed = try post.quantize(node, scores, &quantizer)
            let p = quantizer.operand(transformed).expressions
            probabilities = .pending(Tensor(shape: [rows, 2], elements: p.elements.flatMap { [Expression(constant: 1) - $0, $0] }))
        case .negation:
            probabilities = .pending(Tensor(shape: [rows, 2], elements: quantizer.symbols(scores).elements.flatMap { [-$0, $0] }))
        }
        return [.tensor(label), probabilities]
    }
}
