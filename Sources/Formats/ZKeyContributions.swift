import Algebra
import Curves

/// Section 10 of a `.zkey`: the circuit hash and the phase-2 contributions (snarkjs's "MPC params").
public struct ZKeyContributions: Sendable, Equatable {
    public struct Contribution: Sendable, Equatable {
        /// delta G1 after this contribution.
        public var deltaAfter: G1Affine
        /// The contributor's public key: g1_s, g1_sx = x g1_s, and g2_spx = x hashToG2(transcript).
        public var g1S: G1Affine
        public var g1SX: G1Affine
        public var g2SPX: G2Affine
        /// BLAKE2b-512 of the previous transcript state with g1_s and g1_sx.
        public var transcript: [UInt8]
        /// 0 for a contribution, 1 for a beacon.
        public var type: UInt32
        public var name: String?
        public var numIterationsExp: UInt8?
        public var beaconHash: [UInt8]?

        public init(deltaAfter: G1Affine, g1S: G1Affine, g1SX: G1Affine, g2SPX: G2Affine, transcript: [UInt8], type: UInt32,
                    name: String?, numIterationsExp: UInt8?, beaconHash: [UInt8]?) {
            self.deltaAfter = deltaAfter; self.g1S = g1S; self.g1SX = g1SX; self.g2SPX = g2SPX; self.transcript = transcript
            self.type = type; self.name = name; self.numIterationsExp = numIterationsExp; self.beaconHash = beaconHash
        }
    }

    public var circuitHash: [UInt8]
    public var contributions: [Contribution]

    public init(circuitHash: [UInt8], contributions: [Contribution]) {
        self.circuitHash = circuitHash
        self.contributions = contributions
    }

    public static func decode(_ bytes: [UInt8], file: String) throws(FormatError) -> ZKeyContributions {
        let container = try Iden3Container(bytes, file: file, magic: "zkey", versions: 1...1)
        var reader = try container.reader(10, "contributions")
        let circuitHash = Array(try reader.bytes(64, "circuit hash"))
        // Each contribution holds at least 3 G1 and 1 G2 points, its transcript and two u32.
        let count = try reader.count("contribution count", minimumBytesEach: 3 * 64 + 128 + 64 + 8)
        var contributions: [Contribution] = []
        for index in 0..<count {
            let what = "contribution \(index + 1)"
            let deltaAfter = try reader.g1Montgomery("\(what) deltaAfter")
            let g1S = try reader.g1Montgomery("\(what) g1_s")
            let g1SX = try reader.g1Montgomery("\(what) g1_sx")
            let g2SPX = try reader.g2Montgomery("\(what) g2_spx", checkSubgroup: true)
            let transcript = Array(try reader.bytes(64, "\(what) transcript"))
            let type = try reader.u32("\(what) type")
            let parameters = try ContributionParameters.decode(&reader, what: what)
            contributions.append(Contribution(
                deltaAfter: deltaAfter, g1S: g1S, g1SX: g1SX, g2SPX: g2SPX, transcript: transcript, type: type,
                name: parameters.name, numIterationsExp: parameters.numIterationsExp, beaconHash: parameters.beaconHash))
        }
        try container.finished(reader, "10 (contributions)")
        return ZKeyContributions(circuitHash: circuitHash, contributions: contributions)
    }

    /// Section 10's body, as snarkjs writes it.
    public func encode() -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes = circuitHash
        writer.u32(contributions.count)
        for contribution in contributions {
            writer.g1Montgomery(contribution.deltaAfter)
            writer.g1Montgomery(contribution.g1S)
            writer.g1Montgomery(contribution.g1SX)
            writer.g2Montgomery(contribution.g2SPX)
            writer.bytes += contribution.transcript
            writer.u32(contribution.type)
            ContributionParameters.write(into: &writer, name: contribution.name, type: contribution.type,
                                         numIterationsExp: contribution.numIterationsExp, beaconHash: contribution.beaconHash)
        }
        return writer.bytes
    }
}

/// The name, beacon iterations and beacon hash that follow a contribution in `.ptau` and `.zkey` files:
/// a u32 length, then (type byte, value) pairs sorted by type.
enum ContributionParameters {
    static func decode(_ reader: inout BinaryReader, what: String) throws(FormatError) -> (name: String?, numIterationsExp: UInt8?, beaconHash: [UInt8]?) {
        let length = Int(try reader.u32("\(what) parameter length"))
        var parameters = BinaryReader(Array(try reader.bytes(length, "\(what) parameters")), file: reader.file)
        var name: String?, iterations: UInt8?, beaconHash: [UInt8]?
        var lastType: UInt8 = 0
        while parameters.remaining > 0 {
            let parameterType = try parameters.bytes(1, "\(what) parameter type").first!
            guard parameterType > lastType else { throw reader.error("\(what): parameters are not sorted by type") }
            lastType = parameterType
            switch parameterType {
            case 1:
                let count = Int(try parameters.bytes(1, "\(what) name length").first!)
                name = String(decoding: try parameters.bytes(count, "\(what) name"), as: UTF8.self)
            case 2:
                iterations = try parameters.bytes(1, "\(what) beacon iterations").first!
            case 3:
                let count = Int(try parameters.bytes(1, "\(what) beacon hash length").first!)
                beaconHash = Array(try parameters.bytes(count, "\(what) beacon hash"))
            default:
                throw reader.error("\(what): unknown parameter type \(parameterType)")
            }
        }
        return (name, iterations, beaconHash)
    }

    /// Appends the u32 length and the parameters.
    static func write(into writer: inout BinaryWriter, name: String?, type: UInt32, numIterationsExp: UInt8?, beaconHash: [UInt8]?) {
        let parameters = encode(name: name, type: type, numIterationsExp: numIterationsExp, beaconHash: beaconHash)
        writer.u32(parameters.count)
        writer.bytes += parameters
    }

    static func encode(name: String?, type: UInt32, numIterationsExp: UInt8?, beaconHash: [UInt8]?) -> [UInt8] {
        var parameters: [UInt8] = []
        if let name {
            // snarkjs keeps the first 64 characters (UTF-16 units; the same for ASCII names).
            let data = Array(String(decoding: Array(name.utf16.prefix(64)), as: UTF16.self).utf8)
            parameters += [1, UInt8(min(data.count, 255))] + data.prefix(255)
        }
        if type == 1 {
            parameters += [2, numIterationsExp ?? 0]
            let hash = beaconHash ?? []
            parameters += [3, UInt8(hash.count)] + hash
        }
        return parameters
    }
}
