// bench check against the committed CI baseline: passes on itself, fails on a baseline that claims less memory,
// fails when the models keep one extra activation per block, and only warns about speed.
import XCTest
import Foundation
@testable import BenchKit

final class RegressionCheckTests: XCTestCase {
    var baselinePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("results/baseline/ci.csv").path
    }

    func baseline() throws -> [RunRecord] {
        let rows = try ResultsFile.read(baselinePath)
        XCTAssertEqual(rows.count, 12, "CI preset: 2 depths x 2 batches x 3 variants")
        return rows
    }

    func testBaselinePassesAgainstItself() throws {
        let rows = try baseline()
        XCTAssertEqual(RegressionCheck.compare(baseline: rows, current: rows), [])
        XCTAssertTrue(RegressionCheck.summary([], compared: 12).hasPrefix("bench check: OK"))
    }

    func testBaselineClaimingTenPercentLessMemoryFails() throws {
        let current = try baseline()
        let edited = current.map { r -> RunRecord in
            var r = r
            r.peakLedgerActivationBytes = Int(Double(r.peakLedgerActivationBytes!) * 0.9)
            r.bytesPerImage = Int(Double(r.bytesPerImage!) * 0.9)
            r.stepJemallocBytes = Int(Double(r.stepJemallocBytes!) * 0.9)
            return r
        }
        let findings = RegressionCheck.compare(baseline: edited, current: current)
        let failures = findings.filter { $0.severity == .failure }
        XCTAssertEqual(Set(failures.map(\.metric)), ["peak_ledger_activation_bytes", "bytes_per_image", "step_jemalloc_bytes"])
        XCTAssertEqual(failures.filter { $0.metric == "bytes_per_image" }.count, 12)
        XCTAssertNotNil(RegressionCheck.render(findings))
    }

    func testMissingOrFailedRowFails() throws {
        var current = try baseline()
        current[0].error = "child process killed by signal 9"
        let findings = RegressionCheck.compare(baseline: try baseline(), current: current)
        XCTAssertTrue(findings.contains { $0.metric == "measurement" && $0.current.contains("signal 9") })
    }

    func testThroughputOnlyWarnsAndOnlyOutsideTheBand() throws {
        let base = try baseline()
        func scaled(_ factor: Double) -> [RunRecord] {
            base.map { r in
                var r = r
                if r.variant == .reversible { r.imagesPerSecond = r.imagesPerSecond! * factor }
                return r
            }
        }
        XCTAssertEqual(RegressionCheck.compare(baseline: base, current: scaled(1.3)), [], "within +-50%")
        let slow = RegressionCheck.compare(baseline: base, current: scaled(0.3))
        XCTAssertFalse(slow.isEmpty)
        XCTAssertTrue(slow.allSatisfy { $0.severity == .warning && $0.metric == "reversible/standard img/s" })
    }

    func testRatioFallAndDepthGrowthAreCaught() throws {
        let base = try baseline()
        // Reversible memory per image 5% higher at depth 16 only: the ratio falls and memory grows with depth.
        let current = base.map { r -> RunRecord in
            var r = r
            if r.variant == .reversible && r.depth == 16 {
                r.bytesPerImage = Int(Double(r.bytesPerImage!) * 1.05)
                r.peakLedgerActivationBytes = Int(Double(r.peakLedgerActivationBytes!) * 1.05)
            }
            return r
        }
        let metrics = Set(RegressionCheck.compare(baseline: base, current: current).map(\.metric))
        XCTAssertTrue(metrics.isSuperset(of: ["standard/reversible memory", "activation bytes vs depth", "bytes_per_image"]))
    }

    /// The real thing: bench check runs the CI preset in child processes with models made to keep one extra
    /// activation per block, and must exit 1 naming the depth growth.
    func testCheckFailsWhenModelsKeepAnExtraActivationPerBlock() throws {
        let bench = benchExecutablePath
        func check(extra: Bool) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bench)
            p.arguments = ["check", "--baseline", baselinePath, "--quiet"]
            var env = ProcessInfo.processInfo.environment
            env[ChildRunner.testingExtraActivationVariable] = extra ? "1" : nil
            p.environment = env
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            // bench re-executes itself once to set OpenBLAS's variables (same pid): its temporary CSV must be gone.
            let leftover = NSTemporaryDirectory() + "revbench-check-\(p.processIdentifier).csv"
            XCTAssertFalse(FileManager.default.fileExists(atPath: leftover), "bench check left \(leftover) behind")
            return (p.terminationStatus, text)
        }
        let (okStatus, okText) = try check(extra: false)
        XCTAssertEqual(okStatus, 0, okText)
        let (badStatus, badText) = try check(extra: true)
        XCTAssertEqual(badStatus, 1)
        XCTAssertTrue(badText.contains("reversible activation memory grows with depth"), badText)
        XCTAssertTrue(badText.contains("bench check: FAILED"), badText)
    }
}
