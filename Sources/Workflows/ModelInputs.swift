import Formats
import Foundation
import ModelIR

/// Reads model inputs and calibration samples.
///
/// A file holds one sample or several; a sample holds one array per graph input (nested arrays are flattened
/// row-major). Accepted forms:
/// - a flat array of numbers: one sample of a single-input model;
/// - an array of arrays: several samples of a single-input model (or, when the numbers add up to one input, one nested tensor);
/// - EZKL's `{"input_data": [[...], ...]}`: for a single-input model each row is a sample, for a model with k inputs
///   the k rows are the inputs of one sample, in graph-input order;
/// - an object keyed by input name, `{"image": [...], "meta": [...]}`: one sample;
/// - an array of such objects (or of EZKL objects): several samples.
public enum ModelInputs {
    public static func read(_ path: String, inputs: [GraphInput]) throws(Workflows.Failure) -> [[[Double]]] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw .input(error) }
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            throw .input(FormatError(file: path, problem: "is not JSON"))
        }
        let samples: [[[Double]]]
        do { samples = try parse(json, inputs: inputs) } catch { throw .input(FormatError(file: path, problem: error.description)) }
        guard !samples.isEmpty, samples.allSatisfy({ $0.allSatisfy { !$0.isEmpty } }) else {
            throw .input(FormatError(file: path, problem: "holds no numbers"))
        }
        return samples
    }

    static func parse(_ json: Any, inputs: [GraphInput]) throws(ModelError) -> [[[Double]]] {
        let counts = inputs.map(\.type.count)
        if let object = json as? [String: Any] {
            // EZKL's input_data for a single-input model: each row is a sample.
            if inputs.count == 1, let rows = object["input_data"] as? [Any] {
                return try rows.map { row throws(ModelError) in [try flatten(row)] }
            }
            return [try sample(object, inputs: inputs)]
        }
        guard let array = json as? [Any] else { throw ModelError("expected an array or an object of numbers") }
        if array.allSatisfy({ $0 is [String: Any] }) && !array.isEmpty {
            var samples: [[[Double]]] = []
            for element in array {
                let object = element as! [String: Any]
                if object["input_data"] != nil {
                    samples += try parse(object, inputs: inputs)
                } else {
                    samples.append(try sample(object, inputs: inputs))
                }
            }
            return samples
        }
        guard counts.count == 1 else {
            throw ModelError("the model has \(counts.count) inputs (\(inputs.map(\.name).joined(separator: ", "))): use {\"input_data\": [[...], ...]} with one array per input, or an object keyed by input name")
        }
        let flat = try flatten(array)
        if array.allSatisfy({ $0 is NSNumber }) || flat.count == counts[0] && !array.allSatisfy({ (try? flatten($0).count) == counts[0] }) {
            return [[flat]]
        }
        var samples: [[[Double]]] = []
        for element in array { samples.append([try flatten(element)]) }
        return samples
    }

    private static func sample(_ object: [String: Any], inputs: [GraphInput]) throws(ModelError) -> [[Double]] {
        if let rows = object["input_data"] as? [Any] {
            let arrays = try rows.map { row throws(ModelError) in try flatten(row) }
            guard arrays.count == inputs.count else {
                throw ModelError("input_data has \(arrays.count) arrays, the model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", ")))")
            }
            return arrays
        }
        var result: [[Double]] = []
        for input in inputs {
            guard let value = object[input.name] else { throw ModelError("no values for input '\(input.name)'") }
            result.append(try flatten(value))
        }
        if let extra = object.keys.sorted().first(where: { key in !inputs.contains { $0.name == key } }) {
            throw ModelError("'\(extra)' is not a graph input (inputs: \(inputs.map(\.name).joined(separator: ", ")))")
        }
        return result
    }

    /// A number or nested arrays of numbers, row-major.
    static func flatten(_ value: Any) throws(ModelError) -> [Double] {
        if let number = value as? NSNumber {
            return [number.doubleValue]
        }
        guard let array = value as? [Any] else { throw ModelError("expected numbers, found \(type(of: value))") }
        var result: [Double] = []
        for element in array { result += try flatten(element) }
        return result
    }
}
