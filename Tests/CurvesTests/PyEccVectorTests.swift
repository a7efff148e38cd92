import Algebra
import BigNum
import Curves
import Foundation
import Testing
import TestSupport

/// Known answers from py-ecc 8.0.0 (Fixtures/bn254/generate_vectors.py).
@Suite struct PyEccVectorTests {
    let vectors: [String: Any]

    init() throws {
        vectors = try #require(try Fixtures.json("bn254/vectors.json") as? [String: Any])
    }

    func g1(_ value: Any) throws -> G1Affine {
        if value is NSNull { return .infinity }
        let strings = try #require(value as? [String])
        return try G1Affine(checkedX: Fq(decimal: strings[0]), y: Fq(decimal: strings[1]))
    }

    func fq2(_ value: Any) throws -> Fq2 {
        let strings = try #require(value as? [String])
        return Fq2(try Fq(decimal: strings[0]), try Fq(decimal: strings[1]))
    }

    func g2(_ value: Any) throws -> G2Affine {
        if value is NSNull { return .infinity }
        let pair = try #require(value as? [Any])
        return try G2Affine(checkedX: fq2(pair[0]), y: fq2(pair[1]))
    }

    func entries(_ key: String) throws -> [[String: Any]] {
        let list = try #require(vectors[key] as? [[String: Any]])
        #expect(!list.isEmpty)
        return list
    }

    @Test func generatorsMatch() throws {
        #expect(try g1(vectors["g1_generator"]!) == BN254G1.generator)
        #expect(try g2(vectors["g2_generator"]!) == BN254G2.generator)
        #expect(BN254G1.generator.isOnCurve && BN254G2.generator.isOnCurve)
    }

    @Test func g1ScalarMultiplication() throws {
        for entry in try entries("g1_scalar_mul") {
            let scalar = Fr(reducing: try #require(BigInt(entry["scalar"] as! String)))
            #expect((BN254G1.generator * scalar).affine == (try g1(entry["result"]!)), "scalar \(entry["scalar"]!)")
        }
    }

    @Test func g2ScalarMultiplication() throws {
        for entry in try entries("g2_scalar_mul") {
            let scalar = Fr(reducing: try #require(BigInt(entry["scalar"] as! String)))
            #expect((BN254G2.generator * scalar).affine == (try g2(entry["result"]!)), "scalar \(entry["scalar"]!)")
        }
    }

    @Test func g1Addition() throws {
        for entry in try entries("g1_add") {
            let p = try g1(entry["p"]!), q = try g1(entry["q"]!)
            let expected = try g1(entry["sum"]!)
            #expect((p.jacobian + q).affine == expected)
            #expect((p.jacobian + q.jacobian).affine == expected)
        }
    }

    @Test func g2Addition() throws {
        for entry in try entries("g2_add") {
            let p = try g2(entry["p"]!), q = try g2(entry["q"]!)
            let expected = try g2(entry["sum"]!)
            #expect((p.jacobian + q).affine == expected)
            #expect((p.jacobian + q.jacobian).affine == expected)
        }
    }

    @Test func pairingProductChecks() throws {
        for entry in try entries("pairing_checks") {
            let pairs = try #require(entry["pairs"] as? [[Any]])
            let decoded = try pairs.map { (try g1($0[0]), try g2($0[1])) }
            let expected = try #require(entry["product_is_one"] as? Bool)
            #expect(BN254Pairing.pairingCheck(decoded) == expected, "\(entry["name"]!)")
        }
    }

    @Test func pointsOutsideTheSubgroupAreRejected() throws {
        let list = try #require(vectors["g2_on_twist_not_in_subgroup"] as? [[Any]])
        #expect(list.count == 3)
        for entry in list {
            let x = try fq2(entry[0]), y = try fq2(entry[1])
            #expect(G2Affine(uncheckedX: x, y: y).isOnCurve)
            #expect(throws: PointDecodingError.notInSubgroup) { try G2Affine(checkedX: x, y: y) }
            let point = G2Affine(uncheckedX: x, y: y)
            #expect(throws: PointDecodingError.notInSubgroup) { try G2Affine(ethereumBytes: point.ethereumBytes) }
            #expect(throws: PointDecodingError.notInSubgroup) { try G2Affine(snarkjs: point.snarkjs) }
        }
        for entry in try #require(vectors["g2_in_subgroup_random"] as? [[Any]]) {
            #expect(try G2Affine(checkedX: fq2(entry[0]), y: fq2(entry[1])).isInSubgroup)
        }
    }

    @Test func pointsOffTheCurveAreRejected() throws {
        for entry in try #require(vectors["g1_off_curve"] as? [[String]]) {
            let x = try Fq(decimal: entry[0]), y = try Fq(decimal: entry[1])
            #expect(throws: PointDecodingError.notOnCurve(group: "G1")) { try G1Affine(checkedX: x, y: y) }
            let bytes = x.bigEndianBytes + y.bigEndianBytes
            #expect(throws: PointDecodingError.notOnCurve(group: "G1")) { try G1Affine(ethereumBytes: bytes) }
            #expect(throws: PointDecodingError.notOnCurve(group: "G1")) { try G1Affine(snarkjs: [entry[0], entry[1], "1"]) }
        }
    }
}
