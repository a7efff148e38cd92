/// Typed attribute access with errors that name the node, its op type and the attribute.
extension Node {
    public func error(_ problem: String) -> ModelError { ModelError(node: name, "\(type): \(problem)") }

    public func unsupported(_ attribute: String, _ expectation: String) -> ModelError {
        error("attribute '\(attribute)' is not supported here (\(expectation))")
    }

    public func has(_ key: String) -> Bool { attributes[key] != nil }

    public func int(_ key: String, default value: Int) throws(ModelError) -> Int {
        guard let attribute = attributes[key] else { return value }
        guard case let .int(result) = attribute else { throw error("attribute '\(key)' must be an integer") }
        return result
    }

    public func float(_ key: String, default value: Double) throws(ModelError) -> Double {
        guard let attribute = attributes[key] else { return value }
        switch attribute {
        case let .float(result): return result
        case let .int(result): return Double(result)
        default: throw error("attribute '\(key)' must be a float")
        }
    }

    public func string(_ key: String, default value: String) throws(ModelError) -> String {
        guard let attribute = attributes[key] else { return value }
        guard case let .string(result) = attribute else { throw error("attribute '\(key)' must be a string") }
        return result
    }

    public func ints(_ key: String) throws(ModelError) -> [Int]? {
        guard let attribute = attributes[key] else { return nil }
        switch attribute {
        case let .ints(result): return result
        case let .int(result): return [result]
        default: throw error("attribute '\(key)' must be a list of integers")
        }
    }

    public func ints(_ key: String, default value: [Int]) throws(ModelError) -> [Int] { try ints(key) ?? value }

    public func floats(_ key: String) throws(ModelError) -> [Double]? {
        guard let attribute = attributes[key] else { return nil }
        switch attribute {
        case let .floats(result): return result
        case let .float(result): return [result]
        case let .ints(result): return result.map(Double.init)
        default: throw error("attribute '\(key)' must be a list of floats")
        }
    }

    public func strings(_ key: String) throws(ModelError) -> [String]? {
        guard let attribute = attributes[key] else { return nil }
        switch attribute {
        case let .strings(result): return result
        case let .string(result): return [result]
        default: throw error("attribute '\(key)' must be a list of strings")
        }
    }

    /// A float list given as `key` or as the double tensor `key_as_tensor` (ai.onnx.ml's two spellings).
    public func floatsOrTensor(_ key: String) throws(ModelError) -> [Double]? {
        if case let .tensor(tensor)? = attributes[key + "_as_tensor"] { return tensor.floatTensor.elements }
        return try floats(key)
    }

    /// Refuses attributes this implementation does not know, so nothing is silently ignored.
    public func allow(_ names: Set<String>) throws(ModelError) {
        if let extra = attributes.keys.sorted().first(where: { !names.contains($0) }) {
            throw error("attribute '\(extra)' is not supported")
        }
    }

    /// Input `position` when present (an omitted optional input is an empty name).
    public func input(_ position: Int) -> String? {
        position < inputs.count && !inputs[position].isEmpty ? inputs[position] : nil
    }
}
