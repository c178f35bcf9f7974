// Item 9 of issue 23: the failed row of a killed child, measured again by --resume, no longer wins over the later
// successful row of the same configuration and build in tables and checks.
import XCTest
import Foundation
@testable import BenchKit
import Models

final class SupersededFailureTests: XCTestCase {
    func row(_ variant: Variant, build: String = "release", error: String? = nil) -> RunRecord {
        var r = RunRecord(model: "vit_tiny_test", variant: variant)
        r.depth = 4; r.width = 32; r.heads = 2; r.imageSize = 32; r.patchSize = 8; r.batch = 2; r.build = build
        r.error = error
        if error == nil { r.bytesPerImage = 1_048_576; r.imagesPerSecond = 10 }
        return r
    }

    func testALaterSuccessSupersedesItsFailure() {
        let killed = row(.standard, error: "child process killed by signal 9")
        let rows = [killed, row(.reversible), row(.standard)]
        XCTAssertEqual(rows.withoutSupersededFailures(), [row(.reversible), row(.standard)])
        XCTAssertFalse(MarkdownReport.render(rows).contains("without a measurement"), MarkdownReport.render(rows))
    }

    /// Deliberately kept: a failure with no later success (it is the news), a failure after the success (the
    /// latest attempt failed), and a failure of another build (a different program failed).
    func testFailuresThatNothingLaterMeasuredStay() {
        let failed = row(.standard, error: "boom")
        XCTAssertEqual([failed, row(.reversible)].withoutSupersededFailures().count, 2)
        XCTAssertEqual([row(.standard), failed].withoutSupersededFailures().count, 2)
        XCTAssertEqual([failed, row(.standard, build: "debug")].withoutSupersededFailures().count, 2)
        XCTAssertTrue(MarkdownReport.render([failed, row(.reversible)]).contains("without a measurement"))
    }

    func testTheCheckComparesTheLaterSuccess() {
        let baseline = [row(.standard)]
        let current = [row(.standard, error: "child process killed by signal 15"), row(.standard)]
        XCTAssertTrue(RegressionCheck.compare(baseline: baseline, current: current).filter { $0.severity == .failure }.isEmpty)
    }

    /// End to end, as the user met it: a child killed mid-run leaves a failed row; --resume measures it again;
    /// bench table no longer lists the configuration as without a measurement.
    func testResumeAfterAKilledChildLeavesNoMissingMeasurement() throws {
        let out = NSTemporaryDirectory() + "revbench-supersede-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let args = ["--model", "vit_tiny_test", "--batch", "2", "--warmup", "0", "--threads", "1", "--rounds", "1",
                    "--variants", "standard", "--quiet", "--output", out]
        let parent = BenchProcess.start(args + ["--steps", "1000000"])
        try parent.run()
        kill(try XCTUnwrap(BenchProcess.firstMeasuringChild(of: parent), "the measuring child started"), SIGKILL)
        parent.waitUntilExit()
        XCTAssertTrue(try ResultsFile.read(out).first?.error?.contains("killed by signal 9") ?? false)
        XCTAssertTrue(try BenchProcess.run(["table", out]).out.contains("without a measurement"))
        XCTAssertEqual(try BenchProcess.run(args + ["--steps", "1", "--resume"]).status, 0)
        XCTAssertEqual(try ResultsFile.read(out).map(\.failed), [true, false])
        let table = try BenchProcess.run(["table", out])
        XCTAssertEqual(table.status, 0, table.err)
        XCTAssertFalse(table.out.contains("without a measurement"), table.out)
    }
}
