// The reproduce plan is the one list of commands behind results/: results/README.md's table is generated from it
// (and must not drift from it), every file it names is committed, and every command parses (bench predicts its work).
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
        for e in ReproducePlan.entries {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("results/" + e.file).path), e.file)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: benchExecutablePath)
            p.arguments = e.arguments + ["--predict-work", "--output", NSTemporaryDirectory() + "revbench-plan-\(UUID().uuidString).csv"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, e.file)
            let work = text.split(separator: "\n").first { $0.hasPrefix(ReproducePlan.workMarker) }.flatMap { Double($0.split(separator: "\t")[1]) }
            XCTAssertGreaterThan(try XCTUnwrap(work, e.file), 0, e.file)
        }
    }
}
