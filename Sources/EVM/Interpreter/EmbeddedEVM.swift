/// An embedded EVM, enough to deploy and call verifier contracts without a chain: Shanghai's instruction set and gas
/// for computation, memory, calldata, code, returndata and Keccak-256, STATICCALL to the identity and BN254
/// precompiles, creation with EIP-170/3541/3860's rules. It has no state: opcodes that read or write storage or other
/// accounts, log or create are refused with `Failure.unsupported` (never silently mis-run). The caller and origin are
/// 0x11...11, the contract 0x22...22, value, gas price, coinbase and base fee zero, chain id 1, block 1 at time 1.
public struct EmbeddedEVM: Sendable {
    public struct Execution: Sendable, Equatable {
        public enum Status: Sendable, Equatable {
            case returned
            case reverted
            /// An exceptional halt (out of gas, bad jump, stack error, INVALID): all the gas is spent.
            case halted(String)
        }

        public var status: Status
        public var output: [UInt8]
        /// Gas the code used, without the transaction's intrinsic cost.
        public var executionGas: Int
        /// Gas the whole transaction used: intrinsic (21,000, calldata, for a creation 32,000 and initcode words),
        /// execution and, for a creation, the code deposit.
        public var transactionGas: Int
    }

    public struct Deployment: Sendable {
        public var runtimeCode: [UInt8]
        public var execution: Execution
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsupported(String)
        case invalidTransaction(String)
        case deploymentFailed(String)

        public var description: String {
            switch self {
            case let .unsupported(what): return "the embedded EVM does not support \(what) (it runs verifier contracts)"
            case let .invalidTransaction(why): return "invalid transaction: \(why)"
            case let .deploymentFailed(why): return "deployment failed: \(why)"
            }
        }
    }

    public static let caller = Word256(bigEndian: [UInt8](repeating: 0x11, count: 20))
    public static let contractAddress = Word256(bigEndian: [UInt8](repeating: 0x22, count: 20))

    public var gasLimit: Int

    public init(gasLimit: Int = 30_000_000) { self.gasLimit = gasLimit }

    /// Runs creation code and returns the runtime code it deposits.
    public func deploy(creationCode: [UInt8]) throws(Failure) -> Deployment {
        guard creationCode.count <= GasSchedule.maximumInitcodeSize else {
            throw .invalidTransaction("initcode of \(creationCode.count) bytes is over EIP-3860's \(GasSchedule.maximumInitcodeSize)")
        }
        let intrinsic = GasSchedule.intrinsicCreation(creationCode)
        guard intrinsic <= gasLimit else { throw .invalidTransaction("gas limit \(gasLimit) is below the intrinsic \(intrinsic)") }
        var frame = Frame(code: creationCode, calldata: [], gas: gasLimit - intrinsic)
        var status = try frame.run()
        var output = frame.output
        if status == .returned {
            let deposit = GasSchedule.codeDepositByte * output.count
            if output.count > GasSchedule.maximumCodeSize {
                status = .halted("runtime code of \(output.count) bytes is over EIP-170's \(GasSchedule.maximumCodeSize)")
            } else if output.first == 0xef {
                status = .halted("runtime code starts with 0xEF (EIP-3541)")
            } else if deposit > frame.gas {
                status = .halted("out of gas for the code deposit")
            } else {
                frame.gas -= deposit
            }
        }
        if case .halted = status { frame.gas = 0; output = [] }
        let execution = Execution(status: status, output: output, executionGas: gasLimit - intrinsic - frame.gas,
                                  transactionGas: gasLimit - frame.gas)
        guard status == .returned else {
            throw .deploymentFailed(status == .reverted ? "the creation code reverted" : "\(status)")
        }
        return Deployment(runtimeCode: output, execution: execution)
    }

    /// Sends a message call with `calldata` to a contract whose runtime code is `code`.
    public func call(code: [UInt8], calldata: [UInt8]) throws(Failure) -> Execution {
        let intrinsic = GasSchedule.intrinsicCall(calldata)
        guard intrinsic <= gasLimit else { throw .invalidTransaction("gas limit \(gasLimit) is below the intrinsic \(intrinsic)") }
        var frame = Frame(code: code, calldata: calldata, gas: gasLimit - intrinsic)
        let status = try frame.run()
        if case .halted = status { frame.gas = 0; frame.output = [] }
        return Execution(status: status, output: frame.output, executionGas: gasLimit - intrinsic - frame.gas,
                         transactionGas: gasLimit - frame.gas)
    }
}

/// One call frame: the interpreter loop.
struct Frame {
    let code: [UInt8]
    let calldata: [UInt8]
    var gas: Int
    var stack: [Word256] = []
    var memory: [UInt8] = []
    var returnData: [UInt8] = []
    var output: [UInt8] = []
    let jumpDestinations: [Bool]

    init(code: [UInt8], calldata: [UInt8], gas: Int) {
        self.code = code
        self.calldata = calldata
        self.gas = gas
        var destinations = [Bool](repeating: false, count: code.count)
        var pc = 0
        while pc < code.count {
            let opcode = code[pc]
            if opcode == 0x5b { destinations[pc] = true }
            pc += (0x60...0x7f).contains(opcode) ? Int(opcode) - 0x5e : 1
        }
        jumpDestinations = destinations
        stack.reserveCapacity(64)
    }

    /// Why an instruction stopped the frame exceptionally.
    struct Halt: Error { var reason: String }

    mutating func charge(_ amount: Int) throws(Halt) {
        guard amount <= gas else { throw Halt(reason: "out of gas") }
        gas -= amount
    }

    mutating func pop() throws(Halt) -> Word256 {
        guard let top = stack.popLast() else { throw Halt(reason: "stack underflow") }
        return top
    }

    mutating func push(_ value: Word256) throws(Halt) {
        guard stack.count < GasSchedule.stackLimit else { throw Halt(reason: "stack overflow") }
        stack.append(value)
    }

    mutating func push(_ flag: Bool) throws(Halt) { try push(flag ? Word256.one : .zero) }

    /// Charges memory expansion to cover [offset, offset + size) and returns the offset (zero-size ranges are free).
    mutating func expandMemory(_ offset: Word256, _ size: Word256) throws(Halt) -> (offset: Int, size: Int) {
        if size.isZero { return (0, 0) }
        guard let start = offset.smallValue, let count = size.smallValue else { throw Halt(reason: "out of gas (memory)") }
        let newWords = GasSchedule.words(start + count)
        let oldWords = memory.count / 32
        if newWords > oldWords {
            try charge(GasSchedule.memory(words: newWords) - GasSchedule.memory(words: oldWords))
            memory.append(contentsOf: [UInt8](repeating: 0, count: 32 * (newWords - oldWords)))
        }
        return (start, count)
    }

    /// `count` bytes of `source` from `offset`, zero-padded past its end.
    static func slice(_ source: [UInt8], _ offset: Word256, _ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard let start = offset.smallValue, start < source.count else { return bytes }
        let available = min(count, source.count - start)
        bytes.replaceSubrange(0..<available, with: source[start..<(start + available)])
        return bytes
    }

    /// CALLDATACOPY, CODECOPY and RETURNDATACOPY's shared part: 3 gas per word, memory, then the copy.
    mutating func copyToMemory(from source: [UInt8], checked: Bool) throws(Halt) {
        let destination = try pop(), offset = try pop(), size = try pop()
        if checked {
            guard let start = offset.smallValue, let count = size.smallValue, start + count <= source.count else {
                throw Halt(reason: "RETURNDATACOPY out of bounds")
            }
        }
        guard let count = size.smallValue else { throw Halt(reason: "out of gas (copy)") }
        try charge(3 * GasSchedule.words(count))
        let range = try expandMemory(destination, size)
        if count > 0 { memory.replaceSubrange(range.offset..<(range.offset + count), with: Frame.slice(source, offset, count)) }
    }

    /// Runs to STOP, RETURN, REVERT or a halt; throws only for what the embedded EVM does not support.
    mutating func run() throws(EmbeddedEVM.Failure) -> EmbeddedEVM.Execution.Status {
        var pc = 0
        do {
            while pc < code.count {
                let opcode = code[pc]
                guard let cost = GasSchedule.staticCost[opcode] else {
                    if let name = Frame.unsupportedNames[opcode] {
                        throw EmbeddedEVM.Failure.unsupported("\(name) (opcode 0x\(String(opcode, radix: 16)) at pc \(pc))")
                    }
                    throw Halt(reason: "invalid opcode 0x\(String(opcode, radix: 16)) at pc \(pc)")
                }
                try charge(cost)
                pc += 1
                switch opcode {
                case 0x00: return .returned
                case 0x01: try push(try pop() &+ (try pop()))
                case 0x02: try push(try pop() &* (try pop()))
                case 0x03: try push(try pop() &- (try pop()))
                case 0x04: let a = try pop(); try push(a.divided(by: try pop(), signed: false))
                case 0x05: let a = try pop(); try push(a.divided(by: try pop(), signed: true))
                case 0x06: let a = try pop(); try push(a.remainder(dividingBy: try pop(), signed: false))
                case 0x07: let a = try pop(); try push(a.remainder(dividingBy: try pop(), signed: true))
                case 0x08: let a = try pop(), b = try pop(); try push(Word256.addMod(a, b, try pop()))
                case 0x09: let a = try pop(), b = try pop(); try push(Word256.mulMod(a, b, try pop()))
                case 0x0a:
                    let base = try pop(), exponent = try pop()
                    try charge(50 * exponent.byteCount)
                    try push(base.power(exponent))
                case 0x0b: let byteIndex = try pop(); try push(try pop().signExtended(fromByte: byteIndex))
                case 0x10: let a = try pop(); try push(a < (try pop()))
                case 0x11: let a = try pop(); try push(try pop() < a)
                case 0x12: let a = try pop(); try push(Word256.signedLess(a, try pop()))
                case 0x13: let a = try pop(); try push(Word256.signedLess(try pop(), a))
                case 0x14: try push(try pop() == (try pop()))
                case 0x15: try push(try pop().isZero)
                case 0x16: try push(try pop() & (try pop()))
                case 0x17: try push(try pop() | (try pop()))
                case 0x18: try push(try pop() ^ (try pop()))
                case 0x19: try push(~(try pop()))
                case 0x1a: let index = try pop(); try push(try pop().byte(index))
                case 0x1b: let shift = try pop(); try push(try pop().shiftedLeft(by: shift))
                case 0x1c: let shift = try pop(); try push(try pop().shiftedRight(by: shift))
                case 0x1d: let shift = try pop(); try push(try pop().shiftedRight(by: shift, arithmetic: true))
                case 0x20:
                    let offset = try pop(), size = try pop()
                    guard let count = size.smallValue else { throw Halt(reason: "out of gas (KECCAK256)") }
                    try charge(6 * GasSchedule.words(count))
                    let range = try expandMemory(offset, size)
                    try push(Word256(bigEndian: Keccak256.hash(memory[range.offset..<(range.offset + range.size)])))
                case 0x30: try push(EmbeddedEVM.contractAddress)
                case 0x32, 0x33: try push(EmbeddedEVM.caller)
                case 0x34, 0x3a, 0x41, 0x44, 0x47, 0x48: try push(Word256.zero)
                case 0x35: try push(Word256(bigEndian: Frame.slice(calldata, try pop(), 32)))
                case 0x36: try push(Word256(UInt64(calldata.count)))
                case 0x37: try copyToMemory(from: calldata, checked: false)
                case 0x38: try push(Word256(UInt64(code.count)))
                case 0x39: try copyToMemory(from: code, checked: false)
                case 0x3d: try push(Word256(UInt64(returnData.count)))
                case 0x3e: try copyToMemory(from: returnData, checked: true)
                case 0x42, 0x43, 0x46: try push(Word256.one)
                case 0x45: try push(Word256(30_000_000))
                case 0x50: _ = try pop()
                case 0x51:
                    let range = try expandMemory(try pop(), Word256(32))
                    try push(Word256(bigEndian: memory[range.offset..<(range.offset + 32)]))
                case 0x52:
                    let offset = try pop(), value = try pop()
                    let range = try expandMemory(offset, Word256(32))
                    memory.replaceSubrange(range.offset..<(range.offset + 32), with: value.bigEndianBytes)
                case 0x53:
                    let offset = try pop(), value = try pop()
                    let range = try expandMemory(offset, Word256.one)
                    memory[range.offset] = UInt8(truncatingIfNeeded: value.l0)
                case 0x56:
                    pc = try jumpTarget(try pop())
                case 0x57:
                    let target = try pop(), condition = try pop()
                    if !condition.isZero { pc = try jumpTarget(target) }
                case 0x58: try push(Word256(UInt64(pc - 1)))
                case 0x59: try push(Word256(UInt64(memory.count)))
                case 0x5a: try push(Word256(UInt64(gas)))
                case 0x5b: break
                case 0x5f: try push(Word256.zero)
                case 0x60...0x7f:
                    let count = Int(opcode) - 0x5f
                    try push(Word256(bigEndian: Frame.slice(code, Word256(UInt64(pc)), count)))
                    pc += count
                case 0x80...0x8f:
                    let depth = Int(opcode) - 0x7f
                    guard stack.count >= depth else { throw Halt(reason: "stack underflow") }
                    try push(stack[stack.count - depth])
                case 0x90...0x9f:
                    let depth = Int(opcode) - 0x8f
                    guard stack.count > depth else { throw Halt(reason: "stack underflow") }
                    stack.swapAt(stack.count - 1, stack.count - 1 - depth)
                case 0xf3, 0xfd:
                    let range = try expandMemory(try pop(), try pop())
                    output = Array(memory[range.offset..<(range.offset + range.size)])
                    return opcode == 0xf3 ? .returned : .reverted
                case 0xfa: try staticCall()
                default: preconditionFailure("opcode 0x\(String(opcode, radix: 16)) has a cost but no implementation")
                }
            }
            return .returned
        } catch let error as Halt {
            return .halted(error.reason)
        } catch let error as EmbeddedEVM.Failure {
            throw error
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    func jumpTarget(_ destination: Word256) throws(Halt) -> Int {
        guard let target = destination.smallValue, target < code.count, jumpDestinations[target] else {
            throw Halt(reason: "jump to \(destination), not a JUMPDEST")
        }
        return target
    }

    /// STATICCALL to a precompile, or to an account without code (which succeeds with no output).
    mutating func staticCall() throws {
        let requested = try pop(), address = try pop()
        let inOffset = try pop(), inSize = try pop(), outOffset = try pop(), outSize = try pop()
        let target = address & (Word256.one.shiftedLeft(by: Word256(160)) &- .one)
        let precompile = Precompiles.isPrecompile(target)
        if target == EmbeddedEVM.contractAddress {
            throw EmbeddedEVM.Failure.unsupported("a STATICCALL from the contract to itself")
        }
        if precompile && !Precompiles.implemented.contains(Int(target.l0)) {
            throw EmbeddedEVM.Failure.unsupported("precompile \(target.l0) (\(Precompiles.names[Int(target.l0)]!))")
        }
        let input = try expandMemory(inOffset, inSize)
        let outputRange = try expandMemory(outOffset, outSize)
        try charge(precompile ? GasSchedule.warmAccountAccess : GasSchedule.coldAccountAccess)
        // EIP-150: a call is given at most all but one 64th of what is left.
        let forwarded = min(requested.smallValue ?? Int.max, gas - gas / 64)
        gas -= forwarded
        guard precompile else {
            gas += forwarded
            returnData = []
            try push(true)
            return
        }
        let bytes = Array(memory[input.offset..<(input.offset + input.size)])
        switch Precompiles.run(address: Int(target.l0), input: bytes, gas: forwarded) {
        case let .success(result, used):
            gas += forwarded - used
            returnData = result
            let count = min(outputRange.size, result.count)
            if count > 0 { memory.replaceSubrange(outputRange.offset..<(outputRange.offset + count), with: result.prefix(count)) }
            try push(true)
        case .failure:
            returnData = []
            try push(false)
        }
    }

    /// Shanghai opcodes that need state, accounts or logs, which a stateless verifier run does not have.
    static let unsupportedNames: [UInt8: String] = [
        0x31: "BALANCE", 0x3b: "EXTCODESIZE", 0x3c: "EXTCODECOPY", 0x3f: "EXTCODEHASH", 0x40: "BLOCKHASH",
        0x54: "SLOAD", 0x55: "SSTORE", 0xa0: "LOG0", 0xa1: "LOG1", 0xa2: "LOG2", 0xa3: "LOG3", 0xa4: "LOG4",
        0xf0: "CREATE", 0xf1: "CALL", 0xf2: "CALLCODE", 0xf4: "DELEGATECALL", 0xf5: "CREATE2", 0xff: "SELFDESTRUCT",
    ]
}
