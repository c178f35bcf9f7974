// OpenBLAS kernel-set choice without timing: which set a CPU's flags allow, calibrate's verdict from given probes,
// the stored measurement and the note bench run prints from it, and the accuracy check against a wrong kernel.
// Nothing here sets OPENBLAS_CORETYPE: the check runs on the kernels this test process loaded.
import XCTest
import Engine
@testable import BenchKit

final class BLASKernelsTests: XCTestCase {
    let avx512: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]

    func testBestSetFollowsTheFlagsAndVendor() {
        XCTAssertEqual(BLASKernels.best(cpuFlags: avx512, vendor: "AuthenticAMD"), "SkylakeX")
        XCTAssertEqual(BLASKernels.best(cpuFlags: avx512.union(["avx512_bf16"]), vendor: "AuthenticAMD"), "Cooperlake")
        XCTAssertEqual(BLASKernels.best(cpuFlags: ["avx2", "fma"], vendor: "AuthenticAMD"), "Zen")
        XCTAssertEqual(BLASKernels.best(cpuFlags: ["avx2", "fma"], vendor: "GenuineIntel"), "Haswell")
        XCTAssertNil(BLASKernels.best(cpuFlags: ["avx", "sse4_2"], vendor: "GenuineIntel"))
        // avx512f alone (no BW/VL/DQ, as on Knights Landing) is not enough for the SkylakeX kernels.
        XCTAssertEqual(BLASKernels.best(cpuFlags: ["avx2", "fma", "avx512f"], vendor: "GenuineIntel"), "Haswell")
        XCTAssertTrue(BLASKernels.isAVX512("SKYLAKEX") && BLASKernels.isAVX512("Cooperlake"))
        XCTAssertFalse(BLASKernels.isAVX512("Haswell") || BLASKernels.isAVX512("Zen"))
    }

    func probe(_ core: String, _ gflops: [Double], passed: Bool = true) -> KernelProbe {
        KernelProbe(coreName: core, threads: 2, gflops: gflops,
                    check: [SGEMMCheck.Result(threads: 1, cases: 28, worstRatio: passed ? 0.1 : 40, worstCase: "x")])
    }

    func testVerdictUsesTheReferenceShapeAndNeverAWrongKernel() {
        let haswell = probe("Haswell", [220, 230, 240, 100])
        let faster = KernelComparison(inForce: haswell, candidate: probe("SkylakeX", [450, 470, 460, 300]),
                                      environmentValue: "Haswell")
        XCTAssertEqual(faster.factor, 450.0 / 220, accuracy: 1e-12)
        XCTAssertEqual(faster.verdict, .use("SkylakeX", factor: 450.0 / 220))
        XCTAssertTrue(faster.render().contains("use: OPENBLAS_CORETYPE=SkylakeX (2.05x on qkv 1576x384x1152 at 2 threads"),
                      faster.render())
        let alike = KernelComparison(inForce: haswell, candidate: probe("SkylakeX", [225, 460, 460, 300]), environmentValue: nil)
        XCTAssertEqual(alike.verdict, .alike(factor: 225.0 / 220))
        let wrong = KernelComparison(inForce: haswell, candidate: probe("SkylakeX", [450, 470, 460, 300], passed: false),
                                     environmentValue: nil)
        XCTAssertEqual(wrong.verdict, .wrong("SkylakeX"))
        XCTAssertTrue(wrong.render().contains("WRONG"))
    }

    func testRoundsThatDisagreeLeaveTheVerdictUncertain() throws {
        let steady = try XCTUnwrap(KernelComparison(inForceRounds: [probe("Haswell", [220]), probe("Haswell", [230])],
                                                    candidateRounds: [probe("SkylakeX", [450]), probe("SkylakeX", [440])],
                                                    environmentValue: nil))
        XCTAssertTrue(steady.isSteady)
        XCTAssertEqual(steady.factor, 450.0 / 230, accuracy: 1e-12)
        let busy = try XCTUnwrap(KernelComparison(inForceRounds: [probe("Haswell", [220]), probe("Haswell", [150])],
                                                  candidateRounds: [probe("SkylakeX", [450])], environmentValue: nil))
        XCTAssertFalse(busy.isSteady)
        XCTAssertTrue(busy.render().contains("not stored"), busy.render())
        XCTAssertTrue(busy.render().contains("uncertain, leaning to: OPENBLAS_CORETYPE=SkylakeX"), busy.render())
        XCTAssertFalse(busy.render().contains("use:"), busy.render())
        XCTAssertTrue(steady.render().contains("use: OPENBLAS_CORETYPE=SkylakeX"), steady.render())
        XCTAssertNil(KernelComparison(inForceRounds: [], candidateRounds: [probe("Zen", [1])], environmentValue: nil))
    }

    func testProbesCombineToTheFastestRoundAndTravelAsOneLine() throws {
        let a = probe("Zen", [100, 90, 80, 10]), b = probe("Zen", [90, 95, 70, 20])
        let best = try XCTUnwrap(KernelProbe.best(of: [a, b]))
        XCTAssertEqual(best.gflops, [100, 95, 80, 20])
        XCTAssertEqual(best.check.count, 2)
        XCTAssertEqual(KernelProbe.parse(output: "noise\n" + (try a.line()) + "\n"), a)
        XCTAssertNil(KernelProbe.parse(output: "no probe here"))
    }

    func measurement(from: String = "Haswell", to: String = "SkylakeX", _ fromGF: Double, _ toGF: Double,
                     checked: Bool = true, threads: Int = 2) -> KernelMeasurement {
        let c = KernelComparison(inForce: probe(from, [fromGF]), candidate: probe(to, [toGF], passed: checked),
                                 environmentValue: nil)
        var m = KernelMeasurement(c, cpu: "AMD EPYC (family 26 model 2 stepping 0)", openBLAS: "0.3.21", date: "2026-01-02")
        m.threads = threads
        return m
    }

    func testStoreReplacesTheSameMachineAndPairAndReadsGarbageAsEmpty() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("revbench-kernels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = KernelMeasurementStore(url: dir.appendingPathComponent("revbench/blas-kernels.json"))
        XCTAssertEqual(store.load(), [])
        try store.record(measurement(220, 450))
        try store.record(measurement(220, 460))               // same key: replaces
        try store.record(measurement(110, 240, threads: 1))   // another thread count: kept beside
        XCTAssertEqual(store.load().count, 2)
        let cpu = "AMD EPYC (family 26 model 2 stepping 0)"
        XCTAssertEqual(store.lookup(cpu: cpu, openBLAS: "0.3.21", from: "haswell", threads: 2)?.toGFLOPs, 460)
        XCTAssertEqual(store.lookup(cpu: cpu, openBLAS: "0.3.21", from: "Haswell", threads: 1)?.toGFLOPs, 240)
        XCTAssertNil(store.lookup(cpu: cpu, openBLAS: "0.3.26", from: "Haswell", threads: 2))
        XCTAssertNil(store.lookup(cpu: "another CPU", openBLAS: "0.3.21", from: "Haswell", threads: 2))
        try Data("not json".utf8).write(to: store.url)
        XCTAssertEqual(store.load(), [])
        XCTAssertEqual(KernelMeasurementStore.defaultURL(environment: ["XDG_CACHE_HOME": "/c"]).path, "/c/revbench/blas-kernels.json")
    }

    func testNoteQuotesTheMeasuredFactorAndKeepsQuietWhenItIsSmall() throws {
        func advice(_ env: [String: String], _ m: KernelMeasurement?, flags: Set<String>? = nil, core: String = "Haswell") -> String? {
            BLASEnvironment.advice(environment: env, cpuFlags: flags ?? avx512, vendor: "AuthenticAMD", coreName: core, measured: m)
        }
        let note = try XCTUnwrap(advice(["OPENBLAS_CORETYPE": "Haswell"], measurement(220, 450)))
        XCTAssertTrue(note.contains("2.05x") && note.contains("220 -> 450") && note.contains("OPENBLAS_CORETYPE=SkylakeX"), note)
        XCTAssertNil(advice(["OPENBLAS_CORETYPE": "Haswell"], measurement(207, 210)), "measured alike (a Zen 4)")
        XCTAssertNil(advice(["OPENBLAS_CORETYPE": "Haswell"], measurement(220, 450, checked: false)), "wrong results")
        // A measured gain on an AVX2 CPU is quoted too, set or unset; none once the best set is in force.
        let zen = measurement(to: "Zen", 100, 120)
        XCTAssertNotNil(advice([:], zen, flags: ["avx2", "fma"]))
        XCTAssertNil(advice([:], zen, flags: ["avx2", "fma"], core: "Zen"))
        // A measurement of another pair does not count: the unmeasured AVX-512 note stands.
        let other = try XCTUnwrap(advice(["OPENBLAS_CORETYPE": "Haswell"], measurement(from: "Sandybridge", 50, 450)))
        XCTAssertTrue(other.contains("up to 2x"), other)
    }

    func testAccuracyCheckPassesOpenBLASAndCatchesAWrongKernel() {
        let cases = Array(SGEMMCheck.cases.prefix(8))  // two shapes x four transpositions: the naive reference is slow in debug
        let results = SGEMMCheck.run(threads: [1, 2], cases: cases)
        XCTAssertEqual(results.map(\.threads), [1, 2])
        XCTAssertTrue(results.allSatisfy(\.passed), "\(results)")
        // The reference kernel with the last product of every dot product dropped (a plausible edge-loop bug).
        let dropsOne: SGEMMCheck.Gemm = { tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            BLAS.naiveGemm(transA: tA, transB: tB, m: m, n: n, k: k - 1, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                           beta: beta, c: c, ldc: ldc)
        }
        XCTAssertFalse(SGEMMCheck.run(threads: [1], cases: cases, gemm: dropsOne)[0].passed)
        let nan: SGEMMCheck.Gemm = { _, _, m, n, _, _, _, _, _, _, _, c, ldc in c[(m - 1) * ldc + n - 1] = .nan }
        XCTAssertEqual(SGEMMCheck.run(threads: [1], cases: cases, gemm: nan)[0].worstRatio, .infinity)
    }
}

/// The probe child as `bench calibrate` starts it, with this process's environment (OPENBLAS_CORETYPE untouched).
final class KernelProbeChildTests: XCTestCase {
    func testProbeChildReportsTheKernelsItLoaded() throws {
        let runner = KernelProbeRunner(executable: benchExecutablePath, threads: 1, repeats: 1)
        let probe = try runner.probe(coreType: nil, check: false)
        XCTAssertEqual(probe.coreName, BLAS.coreName)
        XCTAssertEqual(probe.threads, 1)
        XCTAssertEqual(probe.gflops.count, KernelProbe.shapes.count)
        XCTAssertTrue(probe.gflops.allSatisfy { $0 > 0 }, "\(probe.gflops)")
        XCTAssertEqual(probe.check, [])
        let missing = KernelProbeRunner(executable: "/nonexistent/bench", threads: 1, repeats: 1)
        XCTAssertThrowsError(try missing.probe(coreType: nil, check: false))
    }
}
