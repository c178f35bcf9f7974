// The reproduce plan is the one list of commands behind results/: results/README.md's table is generated from it
// (and must not drift from it), every file it names is committed, and every command parses (bench reproduce predicts
// its time).
import XCTest
import Foundation
@testable import BenchKit
import Engine

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

    /// The predicted line of `file` in `bench reproduce --dry-run --only file` run in `folder`.
    func predicted(_ file: String, in folder: String) throws -> String {
        let plan = try BenchProcess.run(["reproduce", "--dry-run", "--only", file], in: folder)
        XCTAssertEqual(plan.status, 0, plan.err)
        let row = try XCTUnwrap(plan.out.split(separator: "\n").first { $0.hasPrefix(file + " ") }, plan.out)
        return String(row.split(separator: " ").last ?? "")
    }

    /// Issue: in a fresh clone `bench reproduce` re-measured nothing (--resume counted the committed rows of another
    /// CPU and commit as done) while --dry-run predicted the whole plan. Now the committed rows are measured again
    /// and predicted as such; only rows this code measured on this machine with the same settings are skipped, and
    /// the prediction leaves them out.
    func testTheDryRunPredictsWhatResumeWouldMeasure() throws {
        let file = "mvit_base_16_transitions_recompute.csv"
        let folder = temporaryFolder("reproduce-resume")
        try FileManager.default.createDirectory(atPath: folder + "/results", withIntermediateDirectories: true)
        let committed = try ResultsFile.read(root.appendingPathComponent("results/" + file).path)
        XCTAssertTrue(committed.allSatisfy { $0.gitSHA != EnvironmentInfo.current().gitSHA })
        let copy = try ResultsFile(path: folder + "/results/" + file)
        for r in committed { try copy.append(r) }
        XCTAssertNotEqual(try predicted(file, in: folder), "0s", "another commit's and CPU's rows are measured again")

        // The same rows as if this build had measured them here, with the plan's settings (threads: every core).
        let env = EnvironmentInfo.current()
        try FileManager.default.removeItem(atPath: folder + "/results/" + file)
        let here = try ResultsFile(path: folder + "/results/" + file)
        for var r in committed {
            env.stamp(&r)
            r.blas = env.blas
            r.threads = System.coreCount
            try here.append(r)
        }
        XCTAssertEqual(try predicted(file, in: folder), "0s", "rows of this code and machine are kept")
    }
}
