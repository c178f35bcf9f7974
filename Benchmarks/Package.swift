// swift-tools-version:6.3
// Micro-benchmarks of RevBench's hot kernels and training steps, with ordo-one/benchmark. A package of its own so
// the main package does not depend on the benchmark tooling. Run from this folder: `swift package benchmark`.
import PackageDescription
import Foundation

// SwiftPM names a path dependency after its folder, so the root package is whatever the clone was called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let rootPackage = root.lastPathComponent.lowercased()

let package = Package(
    name: "RevBenchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // Only the MallocInterposer trait: the default traits need a package the local mirror does not carry.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Kernels",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Engine", package: rootPackage),
                .product(name: "Models", package: rootPackage),
                .product(name: "BenchKit", package: rootPackage),
            ],
            path: "Benchmarks/Kernels",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TrainingStep",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Engine", package: rootPackage),
                .product(name: "Models", package: rootPackage),
            ],
            path: "Benchmarks/TrainingStep",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
