/// Every op the compiler knows, by ONNX op type. Each family file lists its own ops, so adding an op to a family
/// touches that one file (and its test).
public enum OperatorTable {
    static let families: [[any Operator]] = [
        LayoutOps.all, ElementwiseOps.all, LinearAlgebraOps.all, ConvolutionOps.all, PoolingOps.all, ReductionOps.all,
        RectifierOps.all, RoundingOps.all, ExactFunctionOps.all, ActivationOps.all, SoftmaxOps.all, NormalizationOps.all, ConstantOps.all,
        ComparisonOps.all, MachineLearningOps.all, IndexSelectionOps.all, RecurrentOps.all,
    ]

    static let byType: [String: any Operator] = {
        var table: [String: any Operator] = [:]
        for family in families {
            for op in family {
                for type in op.types {
                    precondition(table[type] == nil, "op type \(type) is defined twice")
                    table[type] = op
                }
            }
        }
        return table
    }()

    public static func lookup(_ type: String) -> (any Operator)? { byType[type] }

    /// Every supported ONNX op type, sorted.
    public static var supportedTypes: [String] { byType.keys.sorted() }
}
