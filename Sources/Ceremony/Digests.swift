import COpenSSL

/// BLAKE2b-512 and SHA-256 from OpenSSL's EVP interface (never hand-written).
public struct Digest: Sendable {
    public enum Algorithm: Sendable { case blake2b512, sha256 }

    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ algorithm: Algorithm) {
            pointer = EVP_MD_CTX_new()!
            let type = algorithm == .blake2b512 ? EVP_blake2b512() : EVP_sha256()
            precondition(EVP_DigestInit_ex(pointer, type, nil) == 1, "OpenSSL digest init failed")
        }
        init(copying other: Context) {
            pointer = EVP_MD_CTX_new()!
            precondition(EVP_MD_CTX_copy_ex(pointer, other.pointer) == 1, "OpenSSL digest copy failed")
        }
        deinit { EVP_MD_CTX_free(pointer) }
    }

    private var context: Context

    public init(_ algorithm: Algorithm) { context = Context(algorithm) }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
        let done: Int32 = bytes.withContiguousStorageIfAvailable { EVP_DigestUpdate(context.pointer, $0.baseAddress, $0.count) }
            ?? Array(bytes).withUnsafeBufferPointer { EVP_DigestUpdate(context.pointer, $0.baseAddress, $0.count) }
        precondition(done == 1, "OpenSSL digest update failed")
    }

    /// The digest so far; the value itself can go on absorbing.
    public func finalize() -> [UInt8] {
        let copy = Context(copying: context)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(copy.pointer, &output, &length) == 1, "OpenSSL digest final failed")
        return Array(output.prefix(Int(length)))
    }

    public static func blake2b512(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = Digest(.blake2b512)
        digest.update(bytes)
        return digest.finalize()
    }

    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = Digest(.sha256)
        digest.update(bytes)
        return digest.finalize()
    }
}
