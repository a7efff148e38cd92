/// Shanghai's gas costs for what the embedded EVM runs (Yellow Paper appendix G with EIP-150, -1108, -2028, -2929
/// and -3860). Only what verifier contracts touch: no storage, logs or account access.
public enum GasSchedule {
    public static let transaction = 21_000
    public static let contractCreation = 32_000
    public static let calldataZeroByte = 4
    public static let calldataNonZeroByte = 16
    /// EIP-3860: per 32-byte word of initcode in a creation transaction.
    public static let initcodeWord = 2
    public static let codeDepositByte = 200
    /// EIP-170 and EIP-3860.
    public static let maximumCodeSize = 24_576
    public static let maximumInitcodeSize = 49_152
    public static let stackLimit = 1024

    /// EIP-2929: precompiles are always warm; another account's first access is cold.
    public static let warmAccountAccess = 100
    public static let coldAccountAccess = 2_600

    /// EIP-1108 (Istanbul) prices of the BN254 precompiles, and the identity precompile's.
    public static let ecAdd = 150
    public static let ecMul = 6_000
    public static let pairingBase = 45_000
    public static let pairingPerPair = 34_000
    public static let identityBase = 15
    public static let identityWord = 3

    /// Gas of a transaction's data: 4 per zero byte, 16 per other byte.
    public static func calldata(_ data: [UInt8]) -> Int {
        data.reduce(0) { $0 + ($1 == 0 ? calldataZeroByte : calldataNonZeroByte) }
    }

    /// Intrinsic gas of a message call carrying `data`.
    public static func intrinsicCall(_ data: [UInt8]) -> Int { transaction + calldata(data) }

    /// Intrinsic gas of a creation transaction carrying `initcode`.
    public static func intrinsicCreation(_ initcode: [UInt8]) -> Int {
        transaction + contractCreation + calldata(initcode) + initcodeWord * words(initcode.count)
    }

    /// Total cost of `words` 32-byte words of memory: 3 per word plus words^2 / 512.
    public static func memory(words: Int) -> Int { 3 * words + words * words / 512 }

    public static func words(_ bytes: Int) -> Int { (bytes + 31) / 32 }

    /// The static (pre-dynamic) cost of each opcode the interpreter implements.
    static let staticCost: [UInt8: Int] = {
        var table: [UInt8: Int] = [0x00: 0, 0x01: 3, 0x02: 5, 0x03: 3, 0x04: 5, 0x05: 5, 0x06: 5, 0x07: 5, 0x08: 8, 0x09: 8,
                                   0x0a: 10, 0x0b: 5, 0x20: 30, 0x5b: 1, 0x56: 8, 0x57: 10, 0x5f: 2, 0xf3: 0, 0xfd: 0,
                                   0xfa: 0, 0x47: 5]
        for opcode: UInt8 in 0x10...0x1d { table[opcode] = 3 }
        for opcode: UInt8 in [0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3a, 0x3d, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x48,
                              0x50, 0x58, 0x59, 0x5a] { table[opcode] = 2 }
        for opcode: UInt8 in [0x35, 0x37, 0x39, 0x3e, 0x51, 0x52, 0x53] { table[opcode] = 3 }
        for opcode: UInt8 in 0x60...0x9f { table[opcode] = 3 }
        return table
    }()
}
