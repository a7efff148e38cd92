import CNettle

/// Ethereum's Keccak-256 (the original Keccak padding 0x01, not FIPS 202's 0x06).
///
/// OpenSSL 3.0 offers only the FIPS padding, so the sponge runs on Nettle's Keccak-f[1600] permutation; the
/// permutation is the library's, this is only the 136-byte-rate absorb and the 32-byte squeeze around it.
public enum Keccak256 {
    static let rate = 136

    public static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
        var padded = Array(message)
        padded.append(0x01)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        var state = sha3_state()
        withUnsafeMutableBytes(of: &state.a) { lanes in
            for block in stride(from: 0, to: padded.count, by: rate) {
                for index in 0..<rate { lanes[index] ^= padded[block + index] }
                lanes.withMemoryRebound(to: sha3_state.self) { nettle_sha3_permute($0.baseAddress!) }
            }
        }
        return withUnsafeBytes(of: state.a) { Array($0.prefix(32)) }
    }

    /// The 4-byte ABI selector of a canonical function signature such as `f(uint256[2])`.
    public static func selector(_ signature: String) -> [UInt8] { Array(hash(Array(signature.utf8)).prefix(4)) }
}
