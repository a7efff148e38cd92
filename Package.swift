// swift-tools-version: 6.0
import PackageDescription

/// The module graph follows the proving pipeline; lower modules never import higher ones:
/// CGMP -> BigNum -> Algebra -> Curves -> (Polynomials, MSM) -> ConstraintSystem -> Gadgets -> ModelCompiler
/// -> Groth16 -> Formats -> (EVM, Ceremony) -> Workflows -> zkinfer. ModelIR (the tensor graph) sits below both the frontend (ONNX and
/// JSON import, the only module that reads ONNXProto) and ModelCompiler; ModelCompiler and Groth16 are siblings.
let package = Package(
    name: "zkinfer",
    products: [
        .library(name: "BigNum", targets: ["BigNum"]),
        .library(name: "Algebra", targets: ["Algebra"]),
        .library(name: "Curves", targets: ["Curves"]),
        .library(name: "Polynomials", targets: ["Polynomials"]),
        .library(name: "MSM", targets: ["MSM"]),
        .library(name: "ConstraintSystem", targets: ["ConstraintSystem"]),
        .library(name: "Gadgets", targets: ["Gadgets"]),
        .library(name: "ModelIR", targets: ["ModelIR"]),
        .library(name: "ModelFrontend", targets: ["ModelFrontend"]),
        .library(name: "ModelCompiler", targets: ["ModelCompiler"]),
        .library(name: "Groth16", targets: ["Groth16"]),
        .library(name: "Formats", targets: ["Formats"]),
        .library(name: "EVM", targets: ["EVM"]),
        .library(name: "Ceremony", targets: ["Ceremony"]),
        .library(name: "Workflows", targets: ["Workflows"]),
        .executable(name: "zkinfer", targets: ["zkinfer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The generated ONNX code in Sources/ONNXProto checks it runs on the runtime it was generated for.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"]), .brew(["gmp"])]
        ),
        .target(name: "BigNum", dependencies: ["CGMP"]),
        // Nettle's Keccak-f[1600] permutation, for Ethereum's Keccak-256 (OpenSSL 3.0 has only FIPS 202 padding).
        .systemLibrary(
            name: "CNettle",
            pkgConfig: "nettle",
            providers: [.apt(["nettle-dev"]), .brew(["nettle"])]
        ),
        // OpenSSL's libcrypto for BLAKE2b-512, SHA-256 and ChaCha20 (powers-of-tau and phase-2 transcripts).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        // x86-64 MULX/ADCX/ADOX Montgomery multiplication, inlined into Swift; chosen at run time.
        .target(name: "CFieldArithmetic", exclude: ["generate_header.py"]),
        .target(name: "Algebra", dependencies: ["BigNum", "CFieldArithmetic"]),
        .target(name: "Curves", dependencies: ["Algebra", "BigNum"]),
        .target(name: "Polynomials", dependencies: ["Algebra"]),
        .target(name: "MSM", dependencies: ["Curves", "Algebra"]),
        .target(name: "ConstraintSystem", dependencies: ["Algebra"]),
        .target(name: "Gadgets", dependencies: ["ConstraintSystem", "Algebra", "BigNum"]),
        // Swift generated once from ONNX's onnx.proto (see regenerate.sh); never generated at build time.
        .target(
            name: "ONNXProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["regenerate.sh", "README.md"]
        ),
        .target(name: "ModelIR"),
        .target(name: "ModelFrontend", dependencies: ["ModelIR", "ONNXProto"]),
        .target(name: "ModelCompiler", dependencies: ["ModelIR", "Gadgets", "ConstraintSystem", "Algebra"]),
        .target(name: "Groth16", dependencies: ["ConstraintSystem", "Polynomials", "MSM", "Curves", "Algebra"]),
        .target(name: "Formats", dependencies: ["Groth16", "ConstraintSystem", "Curves", "Algebra"]),
        // EVM assembly, the generated verifier contract, its calldata, and an embedded EVM (Shanghai) that runs it.
        .target(name: "EVM", dependencies: ["CNettle", "Formats", "Groth16", "Curves", "Algebra", "BigNum"]),
        // Powers of tau and phase-2 ceremonies: Lagrange preparation, setup from a ptau, transcript hashes.
        .target(name: "Ceremony", dependencies: [
            "COpenSSL", "Formats", "Groth16", "ConstraintSystem", "MSM", "Polynomials", "Curves", "Algebra",
        ]),
        .target(name: "Workflows", dependencies: [
            "Ceremony", "EVM", "Formats", "Groth16", "ModelCompiler", "ModelFrontend", "ModelIR", "Gadgets", "ConstraintSystem", "Curves", "Algebra",
        ]),
        .executableTarget(
            name: "zkinfer",
            dependencies: [
                "BigNum", "Algebra", "Curves", "ConstraintSystem", "Groth16", "Formats", "EVM", "Workflows", "ModelIR", "ModelCompiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BigNumTests", dependencies: ["BigNum", "TestSupport"]),
        .testTarget(name: "AlgebraTests", dependencies: ["Algebra", "BigNum", "TestSupport"]),
        .testTarget(name: "CurvesTests", dependencies: ["Curves", "Algebra", "BigNum", "TestSupport"]),
        .testTarget(name: "PolynomialsTests", dependencies: ["Polynomials", "Algebra", "TestSupport"]),
        .testTarget(name: "MSMTests", dependencies: ["MSM", "Curves", "Algebra", "TestSupport"]),
        .testTarget(name: "GadgetsTests", dependencies: ["Gadgets", "BigNum", "ConstraintSystem", "Algebra", "TestSupport"]),
        .testTarget(name: "ModelCompilerTests", dependencies: [
            "ModelCompiler", "ModelFrontend", "ModelIR", "ONNXProto", "Gadgets", "Groth16", "ConstraintSystem", "Algebra", "TestSupport",
        ]),
        .testTarget(name: "Groth16Tests", dependencies: ["Groth16", "ConstraintSystem", "Curves", "Algebra", "TestSupport"]),
        .testTarget(name: "CeremonyTests", dependencies: [
            "Ceremony", "Formats", "Groth16", "ConstraintSystem", "Curves", "Algebra", "TestSupport",
        ]),
        .testTarget(name: "EVMTests", dependencies: ["EVM", "Formats", "Groth16", "ConstraintSystem", "Curves", "Algebra", "BigNum", "TestSupport"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "Workflows", "ModelIR", "Groth16", "ConstraintSystem", "Curves", "Algebra", "TestSupport"]),
    ]
)
