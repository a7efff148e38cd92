import Algebra
import ConstraintSystem
import Foundation
import ModelCompiler
import ModelIR
import Testing
import TestSupport

/// Builds small tensor graphs for the tests.
struct GraphBuilder {
    var graph: Graph
    private var counter = 0

    init(_ name: String, inputs: [(String, [Int])], range: ClosedRange<Double> = -1...1) {
        graph = Graph(name: name, inputs: inputs.map { GraphInput(name: $0.0, type: TensorType(.float, $0.1), range: range) },
                      constants: [:], nodes: [], outputs: [], opset: 28)
    }

    mutating func constant(_ tensor: Tensor<Double>, name: String? = nil) -> String {
        counter += 1
        let key = name ?? "c\(counter)"
        graph.constants[key] = .float(tensor)
        return key
    }

    mutating func integers(_ values: [Int]) -> String {
        counter += 1
        let key = "i\(counter)"
        graph.constants[key] = .integer(Tensor(shape: [values.count], elements: values), .int64)
        return key
    }

    mutating func random(_ shape: [Int], scale: Double, _ random: inout SplitMix64) -> String {
        constant(randomTensor(shape, scale: scale, &random))
    }

    @discardableResult
    mutating func node(_ type: String, _ inputs: [String], _ attributes: [String: Attribute] = [:], name: String? = nil, outputs: Int = 1) -> String {
        counter += 1
        let nodeName = name ?? "\(type.lowercased())\(counter)"
        let names = (0..<outputs).map { outputs == 1 ? nodeName : "\(nodeName).\($0)" }
        graph.nodes.append(Node(name: nodeName, type: type, inputs: inputs, outputs: names, attributes: attributes))
        return names[0]
    }

    mutating func output(_ names: String...) { graph.outputs += names }
}

func randomTensor(_ shape: [Int], scale: Double, _ random: inout SplitMix64) -> Tensor<Double> {
    Tensor(shape: shape, elements: (0..<shape.reduce(1, *)).map { _ in (Double(random.next() % 20001) / 10000 - 1) * scale })
}

func randomInputs(_ graph: Graph, _ random: inout SplitMix64) -> [[Double]] {
    graph.inputs.map { input in
        let range = input.range ?? 0...1
        return (0..<input.type.count).map { _ in range.lowerBound + Double(random.next() % 10001) / 10000 * (range.upperBound - range.lowerBound) }
    }
}

/// Compiles `graph` and checks, on random inputs, everything the compiler promises: the circuit's values equal the
/// integer interpreter's for every tensor, the witness satisfies the R1CS, every materialized tensor that is a node's
/// output (and every output) is within its stated error bound of float inference, the system does not depend on the
/// input, and the audit finds no free wire.
@discardableResult
func checkModel(
    _ graph: Graph, settings: CompilerSettings = CompilerSettings(), weights: WeightVisibility = .fixed, samples: Int = 4, seed: UInt64 = 1,
    audit: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
) throws -> (PreparedGraph, QuantizedModel, LoweredModel) {
    var random = SplitMix64(seed: seed)
    let prepared = try Declutter.run(try FoldConstants.run(graph))
    var firstSystem: R1CS?
    var last: LoweredModel?
    var quantized: QuantizedModel!
    for sample in 0..<samples {
        var visibility: [String: InputVisibility] = [:]
        for input in graph.inputs { visibility[input.name] = sample % 2 == 0 ? .private : .public }
        quantized = try Quantization.quantize(prepared, settings: settings, weights: weights, visibility: visibility)
        let input = randomInputs(graph, &random)
        let integerInputs = try quantized.quantizeInputs(input)
        let floats = try FloatInterpreter.run(prepared, inputs: input)
        let integers = try IntegerInterpreter.run(quantized, inputs: integerInputs)
        let lowered = try Lowering.lower(quantized, inputs: integerInputs)
        try lowered.r1cs.checkSatisfied(by: lowered.witness)
        #expect(lowered.values == integers, "circuit and interpreter differ", sourceLocation: sourceLocation)
        for (id, tensor) in quantized.tensors.enumerated() where tensor.role == .computed && tensor.elementType == .float {
            guard let reference = floats[tensor.name]?.doubles, reference.count == tensor.count else { continue }
            let unit = pow(2, Double(tensor.scale))
            let worst = zip(integers[id], reference.elements).map { abs(Double($0) / unit - $1) }.max() ?? 0
            #expect(worst <= tensor.errorBound, "\(tensor.name): error \(worst) above the bound \(tensor.errorBound)", sourceLocation: sourceLocation)
        }
        let references = try FloatInterpreter.outputs(prepared, quantized, inputs: input)
        for (index, output) in quantized.outputs.enumerated() {
            let values = quantized.decode(output, lowered.outputs[index])
            if output.isIndex {
                #expect(values == references[index], "\(output.name): index differs", sourceLocation: sourceLocation)
            } else {
                let worst = zip(values, references[index]).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= output.errorBound, "\(output.name): error \(worst) above the bound \(output.errorBound)", sourceLocation: sourceLocation)
            }
        }
        let publicOutputs = Array(lowered.witness[1...quantized.outputCount])
        #expect(publicOutputs == lowered.outputs.joined().map { Fr(signed: $0) }, sourceLocation: sourceLocation)
        let hashed = weights == .hashed ? 1 : 0
        if sample % 2 == 1 {
            #expect(lowered.r1cs.publicInputCount == quantized.inputCount + hashed, sourceLocation: sourceLocation)
        } else {
            #expect(lowered.r1cs.publicInputCount == hashed, sourceLocation: sourceLocation)
            #expect(lowered.r1cs.privateInputCount == quantized.inputCount + quantized.committedParameters.count, sourceLocation: sourceLocation)
            if let firstSystem {
                #expect(firstSystem.constraints == lowered.r1cs.constraints, "the system changed with the input", sourceLocation: sourceLocation)
            } else {
                firstSystem = lowered.r1cs
            }
        }
        last = lowered
    }
    if audit {
        var auditRandom = SplitMix64(seed: seed &+ 17)
        let report = try UnderconstraintAudit.run(last!.r1cs, witness: last!.witness, random: &auditRandom)
        #expect(report.findings.isEmpty, "free wires: \(report.findings.prefix(5))", sourceLocation: sourceLocation)
    }
    return (prepared, quantized, last!)
}

/// A one-node graph over one input.
func single(_ type: String, input shape: [Int], range: ClosedRange<Double> = -1...1, _ attributes: [String: Attribute] = [:],
            extra: (inout GraphBuilder) -> [String] = { _ in [] }) -> Graph {
    var builder = GraphBuilder(type, inputs: [("x", shape)], range: range)
    let others = extra(&builder)
    builder.output(builder.node(type, ["x"] + others, attributes))
    return builder.graph
}

/// Constraints the steps of a compiled model add, by step name.
func stepCosts(_ model: QuantizedModel) throws -> [String: Int] {
    let report = try CostReport.of(model)
    var result: [String: Int] = [:]
    for layer in report.layers { result[layer.name, default: 0] += layer.constraints }
    return result
}
