import BigNum
import Formats

/// The EVM opcodes the generated verifier uses (values from the Yellow Paper).
public enum Opcode: UInt8, Sendable, CaseIterable {
    case stop = 0x00, add = 0x01, sub = 0x03, mod = 0x06, lt = 0x10, gt = 0x11, eq = 0x14, isZero = 0x15
    case and = 0x16, shl = 0x1b, shr = 0x1c
    case callValue = 0x34, callDataLoad = 0x35, callDataSize = 0x36, callDataCopy = 0x37, codeCopy = 0x39
    case pop = 0x50, mload = 0x51, mstore = 0x52, jump = 0x56, jumpi = 0x57, gas = 0x5a, jumpDest = 0x5b
    case push0 = 0x5f, push1 = 0x60, push2 = 0x61, push4 = 0x63, push32 = 0x7f
    case dup1 = 0x80, dup2 = 0x81, dup3 = 0x82, dup4 = 0x83, swap1 = 0x90, swap2 = 0x91
    case `return` = 0xf3, staticCall = 0xfa, revert = 0xfd, invalid = 0xfe

    public var mnemonic: String {
        switch self {
        case .isZero: return "ISZERO"
        case .callValue: return "CALLVALUE"
        case .callDataLoad: return "CALLDATALOAD"
        case .callDataSize: return "CALLDATASIZE"
        case .callDataCopy: return "CALLDATACOPY"
        case .codeCopy: return "CODECOPY"
        case .jumpDest: return "JUMPDEST"
        case .staticCall: return "STATICCALL"
        default: return String(describing: self).uppercased()
        }
    }
}

/// A small two-pass EVM assembler: opcodes, pushes of constants (sized to fit), pushes of label addresses
/// (two bytes), labels and raw data. `listing` is the readable assembly the bytes came from.
public struct EVMAssembly: Sendable {
    enum Item: Sendable {
        case op(Opcode)
        case push([UInt8])
        case pushLabel(String)
        case label(String)
        case data(String, [UInt8])
        case comment(String)
    }

    var items: [Item] = []

    public init() {}

    public mutating func op(_ opcodes: Opcode...) { for opcode in opcodes { items.append(.op(opcode)) } }

    /// Pushes a non-negative constant with the fewest bytes (PUSH1 for zero: PUSH0 needs Shanghai).
    public mutating func push(_ value: BigInt) {
        precondition(!value.isNegative && value.bitWidth <= 256, "EVM words are 256-bit unsigned")
        let count = (value.bitWidth + 7) / 8
        items.append(.push(count == 0 ? [0] : value.bigEndianBytes(count: count)!))
    }

    public mutating func push(_ value: Int) { push(BigInt(value)) }
    public mutating func push(bytes: [UInt8]) { items.append(.push(bytes)) }
    /// Pushes the code offset of a label or a data block (PUSH2).
    public mutating func push(label: String) { items.append(.pushLabel(label)) }
    public mutating func label(_ name: String) { items.append(.label(name)); items.append(.op(.jumpDest)) }
    public mutating func data(_ name: String, _ bytes: [UInt8]) { items.append(.data(name, bytes)) }
    public mutating func comment(_ text: String) { items.append(.comment(text)) }

    /// Resolves labels and returns the code with its listing.
    public func assemble() -> (code: [UInt8], listing: String) {
        var offsets: [String: Int] = [:]
        var size = 0
        for item in items {
            switch item {
            case .op: size += 1
            case let .push(bytes): size += 1 + bytes.count
            case .pushLabel: size += 3
            case let .label(name): offsets[name] = size
            case let .data(name, bytes): offsets[name] = size; size += bytes.count
            case .comment: break
            }
        }
        precondition(size <= 0xFFFF, "code too large for two-byte label pushes")
        var code: [UInt8] = []
        var listing = ""
        func line(_ text: String) { listing += String(format: "%04x  ", code.count) + text + "\n" }
        for item in items {
            switch item {
            case let .op(opcode):
                if opcode != .jumpDest { line(opcode.mnemonic) }
                code.append(opcode.rawValue)
            case let .push(bytes):
                line(bytes.isEmpty ? "PUSH0" : "PUSH\(bytes.count) 0x\(Hex.encode(bytes))")
                code.append(bytes.isEmpty ? Opcode.push0.rawValue : Opcode.push1.rawValue + UInt8(bytes.count - 1))
                code += bytes
            case let .pushLabel(name):
                guard let offset = offsets[name] else { preconditionFailure("undefined label \(name)") }
                line(String(format: "PUSH2 0x%04x  ; %@", offset, name))
                code += [Opcode.push2.rawValue, UInt8(offset >> 8), UInt8(offset & 0xFF)]
            case let .label(name):
                listing += "\(name):\n"
                line("JUMPDEST")
            case let .data(name, bytes):
                listing += "\(name):  ; \(bytes.count) bytes of data\n"
                for chunk in stride(from: 0, to: bytes.count, by: 32) { line("0x" + Hex.encode(bytes[chunk..<min(chunk + 32, bytes.count)])) }
                code += bytes
            case let .comment(text):
                listing += "      ; \(text)\n"
            }
        }
        return (code, listing)
    }
}
