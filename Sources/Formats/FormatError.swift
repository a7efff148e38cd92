import Foundation

/// A file that could not be read, naming the file and the problem.
public struct FormatError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

/// Reading and atomic writing of whole files.
public enum FileIO {
    public static func read(_ path: String) throws(FormatError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
        } catch {
            throw FormatError(file: path, problem: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// Writes to a temporary file beside `path`, then renames it over `path`, so a crash never
    /// leaves a half-written file behind.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FormatError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try Data(bytes).write(to: temporary)
            // rename(2) replaces the target atomically within one file system.
            guard rename(temporary.path, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FormatError(file: path, problem: "cannot be written (\(error.localizedDescription))")
        }
    }

    public static func writeAtomically(_ text: String, to path: String) throws(FormatError) {
        try writeAtomically(Array(text.utf8), to: path)
    }
}
