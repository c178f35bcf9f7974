// Measurement agrees with itself: jemalloc (linked into this test process too) against the ledger, and the
// step runner's row against the ledger's exact figures.
import XCTest
import Engine
import Models
@testable import BenchKit

final class MeasurementTests: XCTestCase {
    func testJemallocIsTheProcessAllocator() {
        XCTAssertTrue(Jemalloc.isActive, "mallctl does not answer: jemalloc is not linked")
        XCTAssertTrue(Jemalloc.version?.hasPrefix("5.") ?? false)
        XCTAssertEqual(Jemalloc.compiledOptions, "oversize_threshold:0,dirty_decay_ms:-1,muzzy_decay_ms:-1,lg_extent_max_active_fit:20")
        XCTAssertEqual(Jemalloc.oversizeThreshold, 0, "jemalloc read RevBench's malloc_conf")
    }

    func testJemallocThreadPeakSeesATensor() throws {
        Jemalloc.resetThreadPeak()
        do {
            let t = Tensor([4 << 20], zeroed: false)  // 16 MiB
            withExtendedLifetime(t) {}
        }
        let peak = try XCTUnwrap(Jemalloc.threadPeakBytes())
        XCTAssertGreaterThanOrEqual(peak, 16 << 20)
        XCTAssertLessThan(peak, (16 << 20) + (1 << 20))
    }

    func testJemallocStepPeakAgreesWithLedger() throws {
        let request = RunRequest(try Presets.configuration("vit_tiny_test") { $0.depth = 6; $0.width = 64; $0.heads = 4; $0.imageSize = 64 },
                                 variant: .standard, batch: 8, steps: 2, warmup: 1, threads: 1)
        for variant in Variant.allCases {
            var r = request
            r.variant = variant
            let row = try StepRunner.measure(r)
            let ledger = Double(try XCTUnwrap(row.stepLedgerBytes))
            let rounded = Double(try XCTUnwrap(row.stepLedgerAllocatedBytes))
            let je = Double(try XCTUnwrap(row.stepJemallocBytes))
            XCTAssertGreaterThan(ledger, 1_048_576, "\(variant) step is big enough to mean something")
            // jemalloc counts its size classes (large classes are spaced 25% apart), so it is compared with the
            // ledger's allocator-rounded bytes; those lie between the requested bytes and 1.25x them.
            XCTAssertLessThanOrEqual(abs(je - rounded), 0.05 * rounded + 2 * 1_048_576, "\(variant): jemalloc \(je) vs ledger \(rounded)")
            XCTAssertLessThanOrEqual(abs(je - rounded), 0.01 * rounded + 256 * 1024, "\(variant): jemalloc \(je) vs ledger \(rounded)")
            XCTAssertGreaterThanOrEqual(rounded, ledger)
            XCTAssertLessThanOrEqual(rounded, 1.25 * ledger + 64 * 1024)
            XCTAssertNil(BenchSession.disagreement(row))
        }
    }

    /// A deep standard model's heap stays the same size from step to step. With jemalloc's default extent fit
    /// (run with MALLOC_CONF=lg_extent_max_active_fit:6) this configuration's resident memory grew 98 MiB (57% of its
    /// peak) over eight steps, and a ViT-S at depth 48 ran 2.6x slower for the page faults.
    func testHeapDoesNotGrowFromStepToStep() throws {
        let r = RunRequest(try Presets.configuration("vit_tiny_test") { $0.depth = 48; $0.width = 64; $0.heads = 2; $0.imageSize = 64 },
                           variant: .standard, batch: 8, steps: 8, warmup: 2, threads: 1)
        let row = try StepRunner.measure(r)
        let growth = Double(try XCTUnwrap(row.residentGrowthBytes))
        let peak = Double(try XCTUnwrap(row.peakJemallocBytes))
        XCTAssertLessThan(growth, 0.05 * peak, "resident memory grew \(growth) bytes over 8 steps (peak \(peak))")
        XCTAssertNil(BenchSession.heapGrowth(row))
        var grown = row
        grown.residentGrowthBytes = Int(0.5 * peak)
        XCTAssertNotNil(BenchSession.heapGrowth(grown))
    }

    func testRowCarriesExactLedgerFiguresAndThroughput() throws {
        let r = RunRequest(try Presets.configuration("vit_tiny_test"), variant: .reversible, batch: 4, steps: 2, warmup: 0, threads: 1)
        let row = try StepRunner.measure(r)
        XCTAssertEqual(row.model, "vit_tiny_test")
        XCTAssertEqual(row.params, 58_282)
        XCTAssertEqual(row.bytesPerImage, (row.peakLedgerBytes! - row.baselineBytes!) / 4)
        XCTAssertGreaterThan(row.imagesPerSecond ?? 0, 0)
        XCTAssertLessThanOrEqual(row.stepSecondsMin!, row.stepSecondsMedian!)
        XCTAssertLessThanOrEqual(row.stepSecondsMedian!, row.stepSecondsMax!)
        // The same configuration measured again gives the same ledger bytes (deterministic).
        let again = try StepRunner.measure(r)
        XCTAssertEqual(row.peakLedgerActivationBytes, again.peakLedgerActivationBytes)
        XCTAssertEqual(row.stepLedgerBytes, again.stepLedgerBytes)
    }

    func testMemoryGuardRefusesWhatCannotFitUnlessForced() throws {
        let huge = RunRequest(try Presets.configuration("vit_large_patch16_224") { $0.depth = 96 }, variant: .standard,
                              batch: 512, threads: 1)
        let session = BenchSession(outputPath: "/tmp/unused.csv", quiet: true, force: false)
        XCTAssertThrowsError(try session.checkMemory([huge])) { e in
            XCTAssertTrue("\(e)".contains("batch 512") && "\(e)".contains("GiB"), "\(e)")
        }
        XCTAssertNoThrow(try BenchSession(outputPath: "/tmp/unused.csv", quiet: true, force: true).checkMemory([huge]))
        let small = RunRequest(try Presets.configuration("vit_tiny_test"), variant: .standard, batch: 2, threads: 1)
        XCTAssertNoThrow(try session.checkMemory([small]))
    }
}

final class BLASEnvironmentTests: XCTestCase {
    let avx512: Set<String> = ["avx2", "avx512f", "avx512bw", "avx512vl", "avx512dq"]

    func testChoosesAVX512KernelsOnlyWhereSupportedAndNeverOverridesTheUser() {
        XCTAssertEqual(BLASEnvironment.missingSettings(environment: [:], cpuFlags: avx512),
                       ["OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(BLASEnvironment.missingSettings(environment: [:], cpuFlags: ["avx2", "fma"]),
                       ["OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(BLASEnvironment.missingSettings(environment: ["OPENBLAS_CORETYPE": "Haswell"], cpuFlags: avx512),
                       ["OPENBLAS_THREAD_TIMEOUT": "4"])
    }

    func testAdviceOnlyWhenAWeakerKernelIsForced() {
        func advice(_ env: [String: String], _ flags: Set<String>, core: String) -> String? {
            BLASEnvironment.advice(environment: env, cpuFlags: flags, vendor: "AuthenticAMD", coreName: core, measured: nil)
        }
        XCTAssertNotNil(advice(["OPENBLAS_CORETYPE": "Haswell"], avx512, core: "Haswell"))
        XCTAssertNil(advice(["OPENBLAS_CORETYPE": "SkylakeX"], avx512, core: "SkylakeX"))
        XCTAssertNil(advice([:], avx512, core: "SkylakeX"))
        XCTAssertNil(advice(["OPENBLAS_CORETYPE": "Haswell"], ["avx2"], core: "Haswell"))
        // Unmeasured, an AVX2 CPU gets no note for Haswell against Zen: the two may well run alike.
        XCTAssertNil(advice(["OPENBLAS_CORETYPE": "Haswell"], ["avx2", "fma"], core: "Haswell"))
    }
}
