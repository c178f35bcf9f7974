// Rounds and contention evidence: the order rotates, merged records take the median over every round's steps with
// the per-round range, ratios pair rounds, and a busy competing process makes bench warn that its speed is unreliable.
import XCTest
import Foundation
import Models
import Engine
@testable import BenchKit

final class RoundsTests: XCTestCase {
    func testOrderRotatesSoNoVariantIsAlwaysFirst() {
        let variants = Variant.allCases
        let firsts = (0..<3).map { Rounds.order(variants, round: $0).first! }
        XCTAssertEqual(Set(firsts), Set(variants))
        XCTAssertEqual(Rounds.order(variants, round: 1), [.reversible, .checkpointed, .standard])
        XCTAssertEqual(Rounds.order(variants, round: 3), variants)
    }

    func record(_ steps: [Double], batch: Int = 4) -> RunRecord {
        var r = RunRecord(model: "vit_tiny_test", variant: .standard)
        r.batch = batch; r.gmacsPerImage = 1
        r.stepSecondsAll = steps.map { String(format: "%.4f", $0) }.joined(separator: ";")
        let median = steps.sorted()[steps.count / 2]
        r.imagesPerSecond = Double(batch) / median
        r.cpuUtilization = 0.97
        return r
    }

    func testMergeTakesTheMedianOverAllStepsAndTheRangeOfRoundMedians() throws {
        let merged = Rounds.merge([record([1.0, 1.1, 1.2]), record([2.0, 2.1, 2.2]), record([1.05, 1.15, 1.25])])
        XCTAssertEqual(merged.rounds, 3)
        XCTAssertEqual(merged.stepSecondsMedian, 1.2)                  // median of the nine steps
        XCTAssertEqual(try XCTUnwrap(merged.imagesPerSecond), 4 / 1.2, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(merged.imagesPerSecondRoundMin), 4 / 2.1, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(merged.imagesPerSecondRoundMax), 4 / 1.1, accuracy: 1e-9)
        XCTAssertEqual(StabilityRecord.values(merged.imagesPerSecondRounds).count, 3)
        XCTAssertNotNil(Rounds.unreliability(merged), "rounds 1.9x apart are not a speed to trust")
        XCTAssertNil(Rounds.unreliability(Rounds.merge([record([1.0]), record([1.02])])))
        var failed = record([1.0]); failed.error = "killed"
        XCTAssertTrue(Rounds.merge([record([1.0]), failed]).failed)
    }

    func testRatiosArePairedByRound() {
        var a = record([1.0]), b = record([1.0])
        a.imagesPerSecondRounds = "3;3;2"; b.imagesPerSecondRounds = "4;4;4"
        XCTAssertEqual(Rounds.ratios(a, b), [0.75, 0.75, 0.5])
        XCTAssertEqual(Rounds.ratioText(Rounds.ratios(a, b)), "0.75x [0.50-0.75]")
    }

    /// Two busy processes on this machine's cores while bench measures: its child gets too little CPU, and bench
    /// says so in one warning line and marks the table.
    func testABusyCompetingProcessMakesTheContentionWarningFire() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let hogs = (0..<cores).map { _ -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "while :; do :; done"]
            try? p.run()
            return p
        }
        defer { hogs.forEach { $0.terminate(); $0.waitUntilExit() } }   // gone before the next test measures speed
        let out = NSTemporaryDirectory() + "revbench-contention-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: benchExecutablePath)
        p.arguments = ["--model", "vit_tiny_test", "--variants", "standard", "--batch", "8", "--steps", "30",
                       "--warmup", "2", "--threads", "\(cores)", "--rounds", "1", "--output", out, "--quiet"]
        let stdout = Pipe(), stderr = Pipe()
        p.standardOutput = stdout
        p.standardError = stderr
        try p.run()
        let table = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let warnings = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, warnings)
        let row = try XCTUnwrap(try ResultsFile.read(out).first)
        XCTAssertLessThan(try XCTUnwrap(row.cpuUtilization), Rounds.minimumUtilization)
        XCTAssertGreaterThan(try XCTUnwrap(row.loadAverage), 0)
        XCTAssertTrue(warnings.contains("warning: speed figures of vit_tiny_test standard batch 8 are unreliable"), warnings)
        XCTAssertTrue(table.contains("* speed figures unreliable"), table)
    }
}

final class SGEMMReferenceTests: XCTestCase {
    /// The reference bench compares achieved GFLOP/s with holds still right after a training run (the BLAS pool
    /// asleep, caches cold): five calls within 15% of each other. A reference that read half the machine's rate after
    /// a long run once made the models look 154% efficient.
    func testTheReferenceHoldsStillRightAfterATrainingRun() throws {
        let r = RunRequest(model: "vit_tiny_test", overrides: ConfigOverrides(depth: 8, width: 64, heads: 4, imageSize: 64),
                           variant: .standard, batch: 8, steps: 5, warmup: 1, threads: System.coreCount)
        _ = try StepRunner.measure(r)
        let rates = (0..<5).map { _ in Calibration.sgemmReference(threads: System.coreCount) }
        XCTAssertLessThanOrEqual(rates.max()! / rates.min()!, 1.15, "\(rates)")
    }
}
