// The results CSV: header, round trip, no partial lines, a file with another header left alone, crashes as rows.
import XCTest
import Foundation
@testable import BenchKit
import Models

final class ResultsFileTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "revbench-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testAppendAndReadBackWithQuoting() throws {
        let path = dir + "/sub/runs.csv"
        let file = try ResultsFile(path: path)
        var row = ResultRow(["model": "vit_tiny_test", "variant": "standard", "batch": "2"])
        row["cpu"] = "Vendor CPU, 2.0 \"GHz\""
        try file.append(row)
        try file.append(ResultRow(["model": "x", "error": "boom"]))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(CSVSchema.header + "\n"))
        XCTAssertTrue(text.hasSuffix("\n"), "every row ends its line")
        let rows = try ResultsFile.read(path)
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0]["cpu"], "Vendor CPU, 2.0 \"GHz\"")
        XCTAssertEqual(rows[1]["error"], "boom")
        XCTAssertTrue(rows[1].failed)
        // Reopening appends below the same header.
        try ResultsFile(path: path).append(row)
        XCTAssertEqual(try ResultsFile.read(path).count, 3)
    }

    func testFileWithAnotherHeaderIsNotAppendedTo() throws {
        let path = dir + "/runs.csv"
        try "a,b,c\n1,2,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let file = try ResultsFile(path: path)
        XCTAssertEqual(file.path, dir + "/runs-2.csv")
        XCTAssertEqual(file.redirectedFrom, path)
        try file.append(ResultRow(["model": "m"]))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a,b,c\n1,2,3\n")
    }

    func testUnwritableOutputIsAClearError() {
        XCTAssertThrowsError(try ResultsFile(path: "/proc/revbench/runs.csv")) { e in
            XCTAssertTrue("\(e)".contains("/proc/revbench"), "\(e)")
        }
    }

    func testCrashedChildBecomesAnErrorRow() throws {
        let script = dir + "/crash.sh"
        try "#!/bin/sh\necho 'about to crash' >&2\nkill -9 $$\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let r = RunRequest(model: "vit_tiny_test", variant: .reversible, batch: 2, threads: 1)
        let row = ChildRunner.run(r, executable: script, quiet: true)
        XCTAssertTrue(row.failed)
        XCTAssertTrue(row["error"]!.contains("killed by signal 9"), row["error"]!)
        XCTAssertTrue(row["error"]!.contains("about to crash"))
        XCTAssertEqual(row["variant"], "reversible")
        XCTAssertEqual(row["depth"], "4")
    }
}
