// --resume counts a row as measured only when this code measured it on this machine with the same settings: rows
// of another commit, CPU or thread count (a fresh clone's committed results) are measured again, beside them.
import XCTest
import Foundation
@testable import BenchKit

final class ResumeKeyTests: XCTestCase {
    static let tiny = ["--model", "vit_tiny_test", "--batch", "2", "--steps", "1", "--warmup", "0",
                       "--rounds", "1", "--variants", "standard"]

    /// Rewrites every row of `path` as if measured by another commit on another CPU.
    func pretendMeasuredElsewhere(_ path: String) throws {
        let rows = try ResultsFile.read(path).map { row -> RunRecord in
            var r = row
            r.gitSHA = "0123456789ab"
            r.cpu = "Other CPU (family 1 model 2 stepping 3)"
            return r
        }
        try FileManager.default.removeItem(atPath: path)
        let file = try ResultsFile(path: path)
        for r in rows { try file.append(r) }
    }

    /// Issue: `--resume` matched configuration and build only, so the committed rows of another CPU and commit
    /// counted as done ("2 of 2 configurations already in ..., 0 to run") and `bench reproduce` measured nothing in
    /// a fresh clone. Now they are measured again (and said to be), a row of this machine and commit is kept, and
    /// one with other threads is measured again.
    func testRowsOfAnotherCommitCPUOrThreadsAreMeasuredAgain() throws {
        let path = temporaryFolder("resume-key") + "/runs.csv"
        let first = try BenchProcess.run(Self.tiny + ["--threads", "1", "--output", path])
        XCTAssertEqual(first.status, 0, first.err)
        try pretendMeasuredElsewhere(path)

        let again = try BenchProcess.run(Self.tiny + ["--threads", "1", "--output", path, "--resume"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("--resume: 0 of 1 configurations already in"), again.err)
        XCTAssertTrue(again.err.contains("1 of them measured there by another commit, machine or settings"), again.err)
        let rows = try ResultsFile.read(path)
        XCTAssertEqual(rows.map(\.gitSHA?.isEmpty), [false, false], "the other machine's row kept, this one's appended")
        XCTAssertNotEqual(rows.last?.gitSHA, "0123456789ab", "the new row is this checkout's")

        let third = try BenchProcess.run(Self.tiny + ["--threads", "1", "--output", path, "--resume"])
        XCTAssertTrue(third.err.contains("--resume: 1 of 1 configurations already in"), third.err)
        XCTAssertEqual(try ResultsFile.read(path).count, 2, "this machine's own row is found")

        let otherThreads = try BenchProcess.run(Self.tiny + ["--threads", "2", "--output", path, "--resume"])
        XCTAssertTrue(otherThreads.err.contains("--resume: 0 of 1 configurations already in"), otherThreads.err)
        XCTAssertEqual(try ResultsFile.read(path).map(\.threads), [1, 1, 2])
    }

    /// The key reads every field it names from the row, and a request's wanted key is its record stamped here.
    func testTheKeyOfARequestIsItsRowStampedHere() {
        var row = RunRecord(model: "vit_tiny_test", variant: .standard)
        row.batch = 2; row.threads = 1; row.steps = 1; row.warmup = 0
        let env = EnvironmentInfo(gitSHA: "abc", cpu: "CPU", cores: 2, blas: "OpenBLAS 0.3.21 Zen", jemallocVersion: "5",
                                  swiftVersion: "6", build: "release")
        var measured = row
        env.stamp(&measured)
        XCTAssertEqual(ResumeKey(wanted: row, in: env), ResumeKey(measured))
        for change in [{ (r: inout RunRecord) in r.gitSHA = "def" }, { $0.cpu = "other" }, { $0.threads = 2 },
                       { $0.blas = "OpenBLAS 0.3.21 Haswell" }, { $0.build = "debug" }, { $0.steps = 5 }] {
            var other = measured
            change(&other)
            XCTAssertNotEqual(ResumeKey(other), ResumeKey(measured))
        }
    }
}
