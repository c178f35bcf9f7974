// The reproduce plan is the one list of commands behind results/: results/README.md's table is generated from it
// (and must not drift from it), every file it names is committed, and every command parses (bench reproduce predicts
// its time).
import XCTest
import Foundation
@testable import BenchKit

final class ReproducePlanTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testResultsReadmeTableIsTheGeneratedOne() throws {
        let doc = try String(contentsOf: root.appendingPathComponent("results/README.md"), encoding: .utf8)
        XCTAssertEqual(try ReproducePlan.splice(into: doc), doc, "run: swift run bench reproduce --markdown results/README.md")
    }

    func testEveryPlannedFileIsCommittedAndEveryCommandParses() throws {
        // `reproduce --dry-run` parses every entry's command in process and prints its predicted time.
        let plan = try BenchProcess.run(["reproduce", "--dry-run"])
        XCTAssertEqual(plan.status, 0, plan.err)
        let lines = plan.out.split(separator: "\n")
        for e in ReproducePlan.entries {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("results/" + e.file).path), e.file)
            let row = try XCTUnwrap(lines.first { $0.hasPrefix(e.file + " ") }, "\(e.file) is in the plan: \(plan.out)")
            XCTAssertTrue(row.contains(e.arguments.joined(separator: " ")), String(row))
            XCTAssertNotEqual(row.split(separator: " ").last, "0s", "\(e.file) predicts some work: \(row)")
        }
    }
}
