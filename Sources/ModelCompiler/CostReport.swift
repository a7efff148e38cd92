import Foundation
import ModelIR

/// Constraints and wires per layer, with totals; printable as a table and encodable as JSON.
public struct CostReport: Sendable, Hashable, Codable {
    public var model: String
    public var layers: [LayerCost]
    public var constraints: Int
    public var wires: Int
    public var publicSignals: Int

    public init(model: String, layers: [LayerCost], publicSignals: Int) {
        self.model = model
        self.layers = layers
        self.constraints = layers.reduce(0) { $0 + $1.constraints }
        self.wires = layers.reduce(1) { $0 + $1.wires }
        self.publicSignals = publicSignals
    }

    /// The report of a lowered model.
    public init(model: QuantizedModel, lowered: LoweredModel) {
        self.init(model: model.name, layers: lowered.costs, publicSignals: lowered.r1cs.publicCount)
        precondition(constraints == lowered.r1cs.constraints.count && wires == lowered.r1cs.wireCount)
    }

    /// The circuit's cost without a real input: the constraints never depend on values, so any input in range will do.
    public static func of(_ model: QuantizedModel) throws(ModelError) -> CostReport {
        CostReport(model: model, lowered: try Lowering.lower(model, inputs: model.layoutInputs))
    }

    public var table: String {
        let header = ["layer", "ops", "output", "constraints", "wires", "bit widths"]
        var rows = layers.map { [$0.name, $0.operations, $0.outputShape.map(String.init).joined(separator: "x"),
                                 String($0.constraints), String($0.wires), $0.bitWidths] }
        rows.append(["total", "", "", String(constraints), String(wires), "\(publicSignals) public signals"])
        let widths = header.indices.map { column in (rows + [header]).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return (3...4).contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.dropLast().map(line) + [rule, line(rows.last!)]).joined(separator: "\n")
    }

    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try! encoder.encode(self)
    }
}
