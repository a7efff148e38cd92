// swift-tools-version: 6.1
import PackageDescription

// A separate package so the main build and the test run do not compile the benchmark harness.
// Run from this folder: swift package --allow-writing-to-package-directory benchmark
let package = Package(
    name: "zkinfer-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "zkinfer", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Arithmetic",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BigNum", package: "zkinfer"),
                .product(name: "Algebra", package: "zkinfer"),
                .product(name: "Curves", package: "zkinfer"),
                .product(name: "Groth16", package: "zkinfer"),
                .product(name: "ConstraintSystem", package: "zkinfer"),
            ],
            path: "Benchmarks/Arithmetic",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
