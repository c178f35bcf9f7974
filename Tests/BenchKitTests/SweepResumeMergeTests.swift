// Sweeps that hold up: a sweep killed mid-way and rerun with --resume ends with every configuration once, and
// bench merge refuses files with another header, drops exact duplicates and orders rows by configuration.
import XCTest
import Foundation
import Models
@testable import BenchKit

final class SweepResumeMergeTests: XCTestCase {
    var dir: String!
    override func setUp() { dir = temporaryFolder("resume") }

    func bench(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: benchExecutablePath)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func rowCount(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count - 1
    }

    func testAKilledSweepResumesWithEveryConfigurationOnce() throws {
        let out = dir + "/sweep.csv"
        let args = ["sweep", "--models", "vit_tiny_test", "--depths", "2,4", "--batches", "2,4", "--steps", "40",
                    "--warmup", "1", "--threads", "1", "--rounds", "1", "--output", out, "--quiet"]
        let first = try bench(args)
        let deadline = Date().addingTimeInterval(60)
        while rowCount(out) < 3 && Date() < deadline && first.isRunning { usleep(20_000) }
        XCTAssertTrue(first.isRunning, "the sweep should still be running when it is killed")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let partial = try ResultsFile.read(out)
        XCTAssertGreaterThanOrEqual(partial.count, 3)
        XCTAssertLessThan(partial.count, 12, "killed mid-way")
        let second = try bench(args + ["--resume"])
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        let rows = try ResultsFile.read(out)
        let keys = rows.map { "\($0.configuration) \($0.variant.rawValue)" }
        XCTAssertEqual(keys.count, 12, "2 depths x 2 batches x 3 variants")
        XCTAssertEqual(Set(keys).count, 12, "every configuration exactly once")
        XCTAssertTrue(rows.allSatisfy { !$0.failed })
    }

    func testMergeRefusesAnotherHeaderDropsDuplicatesAndOrdersByConfiguration() throws {
        func record(_ depth: Int, _ variant: Variant) -> RunRecord {
            var r = RunRecord(model: "vit_tiny_test", variant: variant)
            r.depth = depth; r.width = 32; r.heads = 2; r.imageSize = 32; r.patchSize = 8; r.batch = 2
            return r
        }
        let a = dir + "/a.csv", b = dir + "/b.csv", merged = dir + "/all.csv"
        let fa = try ResultsFile(path: a), fb = try ResultsFile(path: b)
        try fa.append(record(16, .reversible)); try fa.append(record(4, .standard))
        try fb.append(record(4, .standard)); try fb.append(record(16, .standard))   // the first is a duplicate of a's
        let lines = try Merge.lines(of: [a, b])
        XCTAssertEqual(lines.count, 1 + 3)
        try Merge.write(lines, to: merged, from: [a, b])
        let rows = try ResultsFile.read(merged)
        XCTAssertEqual(rows.map(\.depth), [4, 16, 16])
        XCTAssertEqual(rows.map(\.variant), [.standard, .standard, .reversible])

        // An older bench's file (a subset of today's columns, in its own order) merges under today's header, its
        // cells moved to their columns; a column this bench does not know is refused.
        let older = dir + "/older.csv"
        try "depth,model,variant,width,heads,image_size,patch_size,batch,error\n1,m,standard,1,1,1,1,1,\n"
            .write(toFile: older, atomically: true, encoding: .utf8)
        let upgraded = try Merge.lines(of: [a, older])
        XCTAssertEqual(upgraded.first, RunRecord.columns.joined(separator: ","))
        let both = dir + "/both.csv"
        try Merge.write(upgraded, to: both, from: [a, older])
        XCTAssertEqual(try ResultsFile.read(both).map(\.model).sorted(), ["m", "vit_tiny_test", "vit_tiny_test"])
        let other = dir + "/other.csv"
        try "model,variant,depth,width,heads,image_size,patch_size,batch,error,note\nm,standard,1,1,1,1,1,1,,mine\n"
            .write(toFile: other, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Merge.lines(of: [a, other])) { e in
            XCTAssertTrue("\(e)".contains("'\(other)' has columns this bench does not know (note)"), "\(e)")
        }
        let p = try bench(["merge", "-o", dir + "/new.csv", a, other])
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 64)

        // A row appended to the output (one of the inputs) after the merge read it: refused, not lost in the rename.
        let again = try Merge.lines(of: [a, b])
        try ResultsFile(path: a).append(record(8, .standard))
        XCTAssertThrowsError(try Merge.write(again, to: a, from: [a, b])) { e in
            XCTAssertTrue("\(e)".contains("was written while merging"), "\(e)")
        }
        XCTAssertEqual(try ResultsFile.read(a).map(\.depth), [16, 4, 8], "the output is as the appender left it")
        try Merge.write(try Merge.lines(of: [a, b]), to: a, from: [a, b])
        XCTAssertEqual(try ResultsFile.read(a).map(\.depth), [4, 8, 16, 16])
    }
}
