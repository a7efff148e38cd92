import Algebra
import Curves

/// One phase-1 contribution as section 7 of a `.ptau` records it (snarkjs's layout).
public struct PTauContribution: Sendable, Equatable {
    /// The points after this contribution: tau G1, tau G2, alpha G1, beta G1, beta G2.
    public var tauG1: G1Affine
    public var tauG2: G2Affine
    public var alphaG1: G1Affine
    public var betaG1: G1Affine
    public var betaG2: G2Affine
    /// The contributor's public key: (g1_s, g1_sx) for tau, alpha and beta, then g2_spx for each.
    public var keyG1: [G1Affine]
    public var keyG2: [G2Affine]
    /// BLAKE2b's internal state after the response's points (216 bytes), and the next challenge hash (64 bytes).
    public var partialHash: [UInt8]
    public var nextChallenge: [UInt8]
    /// 0 for a contribution, 1 for a beacon.
    public var type: UInt32
    public var name: String?
    public var numIterationsExp: UInt8?
    public var beaconHash: [UInt8]?

    public init(tauG1: G1Affine, tauG2: G2Affine, alphaG1: G1Affine, betaG1: G1Affine, betaG2: G2Affine,
                keyG1: [G1Affine], keyG2: [G2Affine], partialHash: [UInt8], nextChallenge: [UInt8], type: UInt32,
                name: String?, numIterationsExp: UInt8?, beaconHash: [UInt8]?) {
        self.tauG1 = tauG1; self.tauG2 = tauG2; self.alphaG1 = alphaG1; self.betaG1 = betaG1; self.betaG2 = betaG2
        self.keyG1 = keyG1; self.keyG2 = keyG2; self.partialHash = partialHash; self.nextChallenge = nextChallenge
        self.type = type; self.name = name; self.numIterationsExp = numIterationsExp; self.beaconHash = beaconHash
    }
}

/// A powers-of-tau file: phase 1 of a Groth16 setup.
public struct PowersOfTau: Sendable {
    /// The file's power p: it serves circuits of up to 2^p constraints (plus public inputs).
    public var power: Int
    /// The power of the ceremony the file was cut from (Hermez's is 28).
    public var ceremonyPower: Int
    /// tau^i G1 for i < 2^(p+1) - 1; tau^i G2, alpha tau^i G1 and beta tau^i G1 for i < 2^p.
    public var tauG1: [G1Affine]
    public var tauG2: [G2Affine]
    public var alphaTauG1: [G1Affine]
    public var betaTauG1: [G1Affine]
    public var betaG2: G2Affine
    public var contributions: [PTauContribution]
    /// Sections 12-15 of a prepared file: for each power k, the 2^k Lagrange-basis points L_i(tau) of the size-2^k
    /// domain, block k starting at point 2^k - 1 (section 12 also holds k = p + 1).
    public var lagrange: Lagrange?

    public struct Lagrange: Sendable {
        public var tauG1: [G1Affine]
        public var tauG2: [G2Affine]
        public var alphaTauG1: [G1Affine]
        public var betaTauG1: [G1Affine]

        public init(tauG1: [G1Affine], tauG2: [G2Affine], alphaTauG1: [G1Affine], betaTauG1: [G1Affine]) {
            self.tauG1 = tauG1; self.tauG2 = tauG2; self.alphaTauG1 = alphaTauG1; self.betaTauG1 = betaTauG1
        }

        /// The points of block k (2^k of them) in one of the Lagrange sections.
        public static func block<T>(_ points: [T], power k: Int) -> ArraySlice<T> { points[((1 << k) - 1)..<((1 << (k + 1)) - 1)] }
    }

    public init(power: Int, ceremonyPower: Int, tauG1: [G1Affine], tauG2: [G2Affine], alphaTauG1: [G1Affine],
                betaTauG1: [G1Affine], betaG2: G2Affine, contributions: [PTauContribution], lagrange: Lagrange? = nil) {
        self.power = power; self.ceremonyPower = ceremonyPower; self.tauG1 = tauG1; self.tauG2 = tauG2
        self.alphaTauG1 = alphaTauG1; self.betaTauG1 = betaTauG1; self.betaG2 = betaG2
        self.contributions = contributions; self.lagrange = lagrange
    }
}

/// snarkjs's `.ptau` (version 1): 1 header (n8, q, power, ceremony power), 2 tau G1, 3 tau G2, 4 alpha tau G1,
/// 5 beta tau G1, 6 beta G2, 7 contributions, and in a prepared file 12-15, the Lagrange-basis points.
/// Points are affine with Montgomery-form coordinates, as in `.zkey`.
public enum PTauFile {
    /// The largest power read: 2^(p+1) G1 points must be addressable (Hermez's largest file is 28).
    public static let maximumPower = 28

    public static func decode(_ bytes: [UInt8], file: String, checkSubgroup: Bool = false) throws(FormatError) -> PowersOfTau {
        let container = try Iden3Container(bytes, file: file, magic: "ptau", versions: 1...1)
        var header = try container.reader(1, "header")
        guard try header.u32("n8") == 32, try header.limbs("q") == FqParameters.modulusLimbs else {
            throw header.error("the curve is not BN254 (bn128): only BN254 powers of tau are supported")
        }
        let power = Int(try header.u32("power"))
        let ceremonyPower = Int(try header.u32("ceremony power"))
        try container.finished(header, "1 (header)")
        guard (1...maximumPower).contains(power) else { throw header.error("power \(power) is outside 1...\(maximumPower)") }

        let context = " for power \(power)"
        func g1Section(_ type: UInt32, _ name: String, count: Int) throws(FormatError) -> [G1Affine] {
            try container.g1Points(type, name, count: count, context: context)
        }
        func g2Section(_ type: UInt32, _ name: String, count: Int) throws(FormatError) -> [G2Affine] {
            try container.g2Points(type, name, count: count, checkSubgroup: checkSubgroup, context: context)
        }
        let n = 1 << power
        let tauG1 = try g1Section(2, "tauG1", count: 2 * n - 1)
        let tauG2 = try g2Section(3, "tauG2", count: n)
        let alphaTauG1 = try g1Section(4, "alphaTauG1", count: n)
        let betaTauG1 = try g1Section(5, "betaTauG1", count: n)
        let betaG2 = try g2Section(6, "betaG2", count: 1)[0]
        let contributions = try decodeContributions(try container.reader(7, "contributions"), container: container)
        var lagrange: PowersOfTau.Lagrange?
        let prepared = (12...15).filter { container.sections[UInt32($0)] != nil }
        if !prepared.isEmpty {
            guard prepared.count == 4 else {
                throw FormatError(file: file, problem: "has Lagrange sections \(prepared) but not all of 12-15")
            }
            lagrange = PowersOfTau.Lagrange(
                tauG1: try g1Section(12, "lagrange tauG1", count: 4 * n - 1),
                tauG2: try g2Section(13, "lagrange tauG2", count: 2 * n - 1),
                alphaTauG1: try g1Section(14, "lagrange alphaTauG1", count: 2 * n - 1),
                betaTauG1: try g1Section(15, "lagrange betaTauG1", count: 2 * n - 1))
        }
        return PowersOfTau(power: power, ceremonyPower: ceremonyPower, tauG1: tauG1, tauG2: tauG2, alphaTauG1: alphaTauG1,
                           betaTauG1: betaTauG1, betaG2: betaG2, contributions: contributions, lagrange: lagrange)
    }

    static func decodeContributions(_ section: BinaryReader, container: Iden3Container) throws(FormatError) -> [PTauContribution] {
        var reader = section
        // Each contribution holds at least its points (448 + 768 bytes), hashes (280) and two u32 (8).
        let count = try reader.count("contribution count", minimumBytesEach: 1504)
        var contributions: [PTauContribution] = []
        for index in 0..<count {
            let what = "contribution \(index + 1)"
            let tauG1 = try reader.g1Montgomery("\(what) tauG1")
            let tauG2 = try reader.g2Montgomery("\(what) tauG2", checkSubgroup: false)
            let alphaG1 = try reader.g1Montgomery("\(what) alphaG1")
            let betaG1 = try reader.g1Montgomery("\(what) betaG1")
            let betaG2 = try reader.g2Montgomery("\(what) betaG2", checkSubgroup: false)
            var keyG1: [G1Affine] = []
            for name in ["tau g1_s", "tau g1_sx", "alpha g1_s", "alpha g1_sx", "beta g1_s", "beta g1_sx"] {
                keyG1.append(try reader.g1Montgomery("\(what) key \(name)"))
            }
            var keyG2: [G2Affine] = []
            for name in ["tau", "alpha", "beta"] { keyG2.append(try reader.g2Montgomery("\(what) key \(name) g2_spx", checkSubgroup: false)) }
            let partialHash = Array(try reader.bytes(216, "\(what) partial hash"))
            let nextChallenge = Array(try reader.bytes(64, "\(what) next challenge"))
            let type = try reader.u32("\(what) type")
            let parameters = try ContributionParameters.decode(&reader, what: what)
            contributions.append(PTauContribution(
                tauG1: tauG1, tauG2: tauG2, alphaG1: alphaG1, betaG1: betaG1, betaG2: betaG2, keyG1: keyG1, keyG2: keyG2,
                partialHash: partialHash, nextChallenge: nextChallenge, type: type, name: parameters.name,
                numIterationsExp: parameters.numIterationsExp, beaconHash: parameters.beaconHash))
        }
        try container.finished(reader, "7 (contributions)")
        return contributions
    }

    /// Sections 1-7, then 12-15 when the file is prepared, in snarkjs's order.
    public static func encode(_ ptau: PowersOfTau) -> [UInt8] {
        var header = BinaryWriter()
        header.u32(32)
        header.limbs(FqParameters.modulusLimbs)
        header.u32(ptau.power)
        header.u32(ptau.ceremonyPower)
        let g1 = BinaryWriter.g1Points, g2 = BinaryWriter.g2Points
        var sections: [(UInt32, [UInt8])] = [
            (1, header.bytes), (2, g1(ptau.tauG1)), (3, g2(ptau.tauG2)), (4, g1(ptau.alphaTauG1)), (5, g1(ptau.betaTauG1)),
            (6, g2([ptau.betaG2])), (7, encodeContributions(ptau.contributions)),
        ]
        if let lagrange = ptau.lagrange {
            sections += [(12, g1(lagrange.tauG1)), (13, g2(lagrange.tauG2)), (14, g1(lagrange.alphaTauG1)), (15, g1(lagrange.betaTauG1))]
        }
        return Iden3Container.write(magic: "ptau", version: 1, sections: sections)
    }

    public static func encodeContributions(_ contributions: [PTauContribution]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.u32(contributions.count)
        for contribution in contributions {
            writer.g1Montgomery(contribution.tauG1)
            writer.g2Montgomery(contribution.tauG2)
            writer.g1Montgomery(contribution.alphaG1)
            writer.g1Montgomery(contribution.betaG1)
            writer.g2Montgomery(contribution.betaG2)
            for point in contribution.keyG1 { writer.g1Montgomery(point) }
            for point in contribution.keyG2 { writer.g2Montgomery(point) }
            writer.bytes += contribution.partialHash
            writer.bytes += contribution.nextChallenge
            writer.u32(contribution.type)
            ContributionParameters.write(into: &writer, name: contribution.name, type: contribution.type,
                                         numIterationsExp: contribution.numIterationsExp, beaconHash: contribution.beaconHash)
        }
        return writer.bytes
    }

    public static func read(_ path: String, checkSubgroup: Bool = false) throws(FormatError) -> PowersOfTau {
        try decode(FileIO.read(path), file: path, checkSubgroup: checkSubgroup)
    }

    public static func write(_ ptau: PowersOfTau, to path: String) throws(FormatError) {
        try FileIO.writeAtomically(encode(ptau), to: path)
    }
}
