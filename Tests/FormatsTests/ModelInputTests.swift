import Foundation
import ModelIR
import Testing
import Workflows

/// The input and calibration file forms the README documents, for one and for several graph inputs.
@Suite struct ModelInputTests {
    let single = [GraphInput(name: "x", type: TensorType(.float, [1, 4]))]
    let pair = [GraphInput(name: "image", type: TensorType(.float, [1, 2, 2])), GraphInput(name: "meta", type: TensorType(.float, [3]))]

    func read(_ text: String, _ inputs: [GraphInput]) throws -> [[[Double]]] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-input-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ModelInputs.read(path, inputs: inputs)
    }

    func rejection(_ text: String, _ inputs: [GraphInput]) -> String? {
        do {
            _ = try read(text, inputs)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func singleInputForms() throws {
        #expect(try read("[1, 2, 3, 4]", single) == [[[1, 2, 3, 4]]])
        #expect(try read("[[1, 2], [3, 4]]", single) == [[[1, 2, 3, 4]]])  // one nested tensor: its numbers fill one input
        #expect(try read("[[1, 2, 3, 4], [5, 6, 7, 8]]", single) == [[[1, 2, 3, 4]], [[5, 6, 7, 8]]])  // two samples
        #expect(try read(#"{"input_data": [[1, 2, 3, 4], [5, 6, 7, 8]]}"#, single) == [[[1, 2, 3, 4]], [[5, 6, 7, 8]]])
        #expect(try read(#"{"x": [[1, 2, 3, 4]]}"#, single) == [[[1, 2, 3, 4]]])
    }

    @Test func severalInputForms() throws {
        let expected: [[Double]] = [[1, 2, 3, 4], [5, 6, 7]]
        #expect(try read(#"{"input_data": [[1, 2, 3, 4], [5, 6, 7]]}"#, pair) == [expected])
        #expect(try read(#"{"meta": [5, 6, 7], "image": [[1, 2], [3, 4]]}"#, pair) == [expected])
        #expect(try read(#"[{"image": [1, 2, 3, 4], "meta": [5, 6, 7]}, {"image": [0, 0, 0, 0], "meta": [1, 1, 1]}]"#, pair).count == 2)
        #expect(try read(#"[{"input_data": [[1, 2, 3, 4], [5, 6, 7]]}, {"input_data": [[1, 2, 3, 4], [5, 6, 7]]}]"#, pair).count == 2)
    }

    @Test func malformedFilesNameTheProblem() {
        #expect(rejection("{{{", single)?.contains("is not JSON") == true)
        #expect(rejection("[1, 2, 3, 4]", pair)?.contains("the model has 2 inputs (image, meta)") == true)
        #expect(rejection(#"{"input_data": [[1, 2, 3, 4]]}"#, pair)?.contains("input_data has 1 arrays, the model has 2 inputs") == true)
        #expect(rejection(#"{"image": [1, 2, 3, 4]}"#, pair)?.contains("no values for input 'meta'") == true)
        #expect(rejection(#"{"image": [1, 2, 3, 4], "meta": [1, 2, 3], "extra": [1]}"#, pair)?.contains("'extra' is not a graph input") == true)
        #expect(rejection(#"["a", "b"]"#, single)?.contains("expected numbers") == true)
        #expect(rejection("[]", single)?.contains("holds no numbers") == true)
    }
}
