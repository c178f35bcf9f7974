// Rounds and contention evidence: the order rotates, merged records take the median over every round's steps with
// the per-round range, ratios pair rounds, and a busy competing process makes bench warn that its speed is unreliable.
// The SGEMM reference's schedule, on injected timings, and that bench measures it before the runs. Budget rounds
// rotate across the variants too.
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

    /// A tiny model's rounds as the child returns them (JSON) and as the journal keeps them (a CSV row): steps of a
    /// few microseconds. Their merged speeds are the figures of the exact steps (they were inf and nan, from steps
    /// rounded to 0.1 ms, i.e. 0), and a speed that cannot be computed is an empty cell, never inf or nan.
    func testMergedSpeedsOfMicrosecondStepsComeFromTheExactSteps() throws {
        let request = RunRequest(try Presets.configuration("vit_tiny_test") {
            $0.depth = 1; $0.width = 2; $0.heads = 1; $0.imageSize = 8; $0.patchSize = 8; $0.classes = 1
        }, variant: .standard, batch: 1, steps: 3, warmup: 0, threads: 1)
        func round(_ steps: [Double]) -> RunRecord {
            var m = StepMeasurement()
            m.stepSeconds = steps
            return RunRecord(request: request, measurement: m)
        }
        let rounds = [[17.452e-6, 18.113e-6, 16.987e-6], [19.021e-6, 17.5e-6, 18.75e-6]]
        let json = try rounds.map { try ChildRunner.decoder.decode(RunRecord.self, from: ChildRunner.encoder.encode(round($0))) }
        let file = try ResultsFile(path: temporaryFolder("tiny-rounds") + "/kept.csv")
        for steps in rounds { try file.append(round(steps)) }
        let csv = try ResultsFile.read(file.path)
        let median = (17.5e-6 + 18.113e-6) / 2   // of the six steps
        let macs = Double(request.configuration.macsPerImage(.standard))
        for (how, kept) in [("as the child returns them", json), ("as the journal keeps them", csv)] {
            let merged = Rounds.merge(kept)
            XCTAssertEqual(merged.rounds, 2, how)
            XCTAssertEqual(try XCTUnwrap(merged.imagesPerSecond, how), RunRecord.rounded(1 / median, 3), how)
            XCTAssertEqual(try XCTUnwrap(merged.gflopsPerSecond, how), RunRecord.rounded(macs * 6 / median / 1e9, 2), how)
            XCTAssertEqual(CSV.numbers(merged.imagesPerSecondRounds), kept.compactMap(\.imagesPerSecond), how)
            XCTAssertEqual(CSV.numbers(merged.stepSecondsAll), rounds.joined().map { $0 }, how)
        }
        // Steps the clock measured as zero: no speed, an empty cell.
        let zero = Rounds.merge([round([0, 0, 0]), round([0, 0, 0])])
        XCTAssertNil(zero.imagesPerSecond)
        XCTAssertNil(zero.gflopsPerSecond)
        let line = try CSV.line(zero).lowercased()
        XCTAssertFalse(line.contains("inf") || line.contains("nan"), line)
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

/// The SGEMM reference's schedule driven by injected timings (no clock, so a busy machine cannot fail it). Whether the
/// real reference holds still right after a training run is a timing: `bench calibrate --reference-check` checks it.
final class SGEMMReferenceTests: XCTestCase {
    /// Runs the schedule on scripted medians; returns the reading and how many calls each median was asked for.
    func run(_ medians: [Double], schedule: SGEMMReference = SGEMMReference()) -> (SGEMMReference.Reading, [Int]) {
        var script = medians[...], asked: [Int] = []
        let reading = schedule.run { calls in
            asked.append(calls)
            return script.popFirst() ?? 1
        }
        XCTAssertTrue(script.isEmpty, "medians left unused: \(Array(script))")
        return (reading, asked)
    }

    /// Right after a training run the first calls are slow; the warm-up goes on until two medians in a row agree
    /// within 5%, and only then are the five measured batches taken.
    func testWarmUpStopsWhenTwoMediansInARowAgree() {
        let (reading, asked) = run([2.0, 1.5, 1.2, 1.18, /* measured: */ 1.1, 1.0, 1.3, 1.05, 1.2])
        XCTAssertEqual(reading.warmupMedians, [2.0, 1.5, 1.2, 1.18], "1.18 is within 5% of 1.2: the warm-up ends there")
        XCTAssertEqual(reading.batchMedians, [1.1, 1.0, 1.3, 1.05, 1.2])
        XCTAssertEqual(asked, [5, 5, 5, 5, 10, 10, 10, 10, 10], "warm-up medians of 5 calls, then five of 10")
    }

    /// One slow stretch of the machine does not set the reference: the fastest of the five batch medians does.
    func testTheBestOfFiveMediansIsTheReference() {
        let (reading, _) = run([1.0, 1.0, /* measured: */ 0.02, 0.04, 0.02, 0.021, 0.019])
        XCTAssertEqual(reading.seconds, 0.019)
        XCTAssertEqual(reading.gflops, 2.0 * 1576 * 384 * 1152 / 0.019 / 1e9, accuracy: 1e-9)
        let (three, asked) = run([1.0, 1.01, 0.5, 0.4, 0.6], schedule: SGEMMReference(batches: 3, calls: 4))
        XCTAssertEqual(three.seconds, 0.4)
        XCTAssertEqual(asked, [5, 5, 4, 4, 4])
    }

    /// Medians that never agree end the warm-up after its limit rather than never.
    func testWarmUpIsBounded() {
        let schedule = SGEMMReference()
        let flapping = (0...schedule.maxWarmups).map { $0 % 2 == 0 ? 1.0 : 2.0 }
        let (reading, _) = run(flapping + [1, 1, 1, 1, 1], schedule: schedule)
        XCTAssertEqual(reading.warmupMedians.count, schedule.maxWarmups + 1)
        XCTAssertEqual(reading.batchMedians.count, 5)
    }

    /// bench measures the reference before its children run (after a long run the BLAS pool sleeps and the machine
    /// may be slower than at its best), says so before the first progress line, and records it on every row.
    func testTheReferenceIsMeasuredBeforeTheRuns() throws {
        let out = NSTemporaryDirectory() + "revbench-reference-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: benchExecutablePath)
        p.arguments = ["--model", "vit_tiny_test", "--variants", "standard,reversible", "--batch", "2", "--steps", "1",
                       "--warmup", "0", "--rounds", "1", "--output", out]
        let stderr = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = stderr
        try p.run()
        let log = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, log)
        let lines = log.split(separator: "\n").map(String.init)
        let reference = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("SGEMM reference ") }, log)
        let firstRun = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("[1/2]") }, log)
        XCTAssertLessThan(reference, firstRun, log)
        let figure = try XCTUnwrap(Double(lines[reference].split(separator: " ")[2]), lines[reference])
        let rows = try ResultsFile.read(out)
        XCTAssertEqual(rows.count, 2)
        XCTAssertTrue(rows.allSatisfy { $0.sgemmGFLOPs == figure }, "every row records the reference measured first")
    }

    /// Budget rounds rotate like a run's: the batch search measures each variant once, then the second round measures
    /// the variants at their confirmed batches in the other order, and each row merges its two rounds.
    func testBudgetRoundsRotateAcrossTheVariants() throws {
        let out = NSTemporaryDirectory() + "revbench-budget-rounds-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try BenchProcess.run(["budget", "--memory", "64MiB", "--models", "vit_tiny_test", "--depths", "2",
                                      "--variants", "standard,reversible", "--steps", "1", "--warmup", "0", "--threads", "1",
                                      "--rounds", "2", "--output", out])
        XCTAssertEqual(r.status, 0, r.err)
        let measured = r.err.split(separator: "\n").filter { $0.hasPrefix("[") }.map { String($0.split(separator: " ")[2]) }
        XCTAssertEqual(measured, ["standard", "reversible", "reversible", "standard"], r.err)
        let rows = try ResultsFile.read(out)
        XCTAssertEqual(rows.map(\.variant), [.standard, .reversible])
        XCTAssertEqual(rows.map(\.rounds), [2, 2])
        XCTAssertTrue(rows.allSatisfy { !$0.failed && ($0.maxBatch ?? 0) > 0 && $0.memoryBudgetBytes == 64 << 20 }, r.err)
    }
}
