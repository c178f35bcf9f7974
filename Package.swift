// swift-tools-version:6.0
// RevBench: paired standard / reversible / checkpointed vision transformers, trained on a Swift CPU engine,
// measured for peak memory (ledger, jemalloc, RSS) and throughput.
import PackageDescription
import Foundation

// The engine's SIMD code only vectorizes wide with an explicit CPU target (Swift's default x86-64 target stops at
// SSE2 and then runs SIMD16 code slower than scalar). Default: haswell (AVX2 + FMA, any x86-64 CPU since 2013).
// Override with REVBENCH_TARGET_CPU=skylake-avx512 (or native) for AVX-512 machines.
let environment = ProcessInfo.processInfo.environment
#if arch(x86_64)
let targetCPU = environment["REVBENCH_TARGET_CPU"] ?? "haswell"
let cpuFlags = ["-target-cpu", targetCPU]
#else
let cpuFlags: [String] = []
#endif

// Engine and Models are optimized in every build configuration, so `swift run bench` (a debug build) and
// `swift test` exercise the engine at speed. Only release builds drop the preconditions (-Ounchecked); debug and
// test builds keep them (-O), so a shape bug traps instead of corrupting memory.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + cpuFlags, .when(configuration: .release)),
    .unsafeFlags(["-O"] + cpuFlags, .when(configuration: .debug)),
]

let package = Package(
    name: "RevBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bench", targets: ["bench"]),
        .library(name: "BenchKit", targets: ["BenchKit"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Models", targets: ["Models"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJemalloc", providers: [.apt(["libjemalloc-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CProcessControl"),
        .target(name: "Engine", dependencies: ["COpenBLAS", "CMalloc"], swiftSettings: engineSettings),
        .target(name: "Models", dependencies: ["Engine"], swiftSettings: engineSettings),
        .target(name: "JemallocConfig"),
        .target(name: "BenchKit", dependencies: ["Models", "Engine", "CJemalloc", "JemallocConfig", "CProcessControl"]),
        .executableTarget(name: "bench", dependencies: [
            "BenchKit", "Engine", "Models",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // A test entry point (not a product): a results-file replace a test can interrupt before its rename.
        .executableTarget(name: "ReplaceProbe", dependencies: ["BenchKit"]),
        .target(name: "TestSupport", dependencies: ["Engine", "Models"], path: "Sources/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Engine", "TestSupport"]),
        .testTarget(name: "BenchKitTests", dependencies: ["BenchKit", "Models", "Engine", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
