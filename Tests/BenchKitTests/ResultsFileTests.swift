// The results CSV: header, round trip, no partial lines, a file with another header left alone, crashes as rows.
import XCTest
import Foundation
@testable import BenchKit
import Models

final class ResultsFileTests: XCTestCase {
    var dir: String!

    override func setUp() { dir = temporaryFolder("results") }

    func testAppendAndReadBackWithQuoting() throws {
        let path = dir + "/sub/runs.csv"
        let file = try ResultsFile(path: path)
        var row = RunRecord(model: "vit_tiny_test", variant: .standard)
        row.batch = 2
        row.cpu = "Vendor CPU, 2.0 \"GHz\""
        row.lossLast = .nan
        try file.append(row)
        var failed = RunRecord(model: "x", variant: .reversible)
        failed.error = "boom"
        try file.append(failed)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(CSV.header(RunRecord.self) + "\n"))
        XCTAssertTrue(text.hasSuffix("\n"), "every row ends its line")
        let rows = try ResultsFile.read(path)
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].cpu, "Vendor CPU, 2.0 \"GHz\"")
        XCTAssertEqual(rows[0].batch, 2)
        XCTAssertTrue(rows[0].lossLast?.isNaN ?? false, "a diverged loss is kept")
        XCTAssertNil(rows[0].depth, "an empty cell reads back as nil")
        XCTAssertEqual(rows[1].error, "boom")
        XCTAssertTrue(rows[1].failed)
        // Reopening appends below the same header.
        try ResultsFile(path: path).append(row)
        XCTAssertEqual(try ResultsFile.read(path).count, 3)
    }

    /// A full record survives CSV and JSON (the child's channel) unchanged, and the header is the coding keys.
    func testRecordRoundTripsThroughCSVAndJSON() throws {
        var r = RunRecord(model: "vit_small_patch16_224", variant: .checkpointed)
        r.device = "cpu"; r.depth = 48; r.width = 384; r.heads = 6; r.imageSize = 224; r.patchSize = 16; r.batch = 4
        r.gmacsPerImage = 18.2217; r.imagesPerSecond = 2.4; r.stepSecondsMedian = 1.6667; r.bytesPerImage = 22_812_345
        r.lossFirst = 6.9077554
        let path = dir + "/one.csv"
        try ResultsFile(path: path).append(r)
        XCTAssertEqual(try ResultsFile.read(path), [r])
        let json = try JSONEncoder().encode(r)
        XCTAssertEqual(try JSONDecoder().decode(RunRecord.self, from: json), r)
        XCTAssertEqual(RunRecord.columns, RunRecord.CodingKeys.allCases.map(\.rawValue))
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("\"bytes_per_image\":22812345"))
    }

    /// Every family records its attention core (an MViT row with fused attention is keyed apart from a math one).
    func testRequestRecordsTheAttentionCoreOfEveryFamily() throws {
        for model in ["vit_tiny_test", "mvit_tiny_test"] {
            for core in AttentionKind.allCases {
                let request = RunRequest(try Presets.configuration(model) { $0.attention = core }, variant: .standard,
                                         batch: 1, steps: 1, warmup: 0, threads: 1)
                let row = RunRecord(request: request)
                XCTAssertEqual(row.attention, core.rawValue, model)
                XCTAssertEqual(row.configuration[.attention], core.rawValue, model)
            }
        }
    }

    /// A committed results file written before the device, engine, precision and transitions columns existed still
    /// loads; the missing columns read as the Swift engine's defaults.
    func testOlderResultsFilesStillLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("results/archive/vit_base_4GiB.csv").path
        XCTAssertFalse(try String(contentsOfFile: path, encoding: .utf8).hasPrefix(CSV.header(RunRecord.self)), "an older header")
        let rows = try ResultsFile.read(path)
        XCTAssertEqual(rows.count, 9)
        XCTAssertTrue(rows.allSatisfy { $0.device == nil && $0.engine == nil && $0.transitions == nil })
        XCTAssertTrue(rows.allSatisfy { $0.configuration[.device] == RunConfiguration.cpu && $0.configuration[.engine] == RunConfiguration.revbench })
        XCTAssertEqual(rows.first?.depth, 12)
        XCTAssertEqual(Set(rows.map(\.variant)), Set(Variant.allCases))
    }

    /// A CSV from another tool is refused with the missing columns named (bench table exits 64 on it).
    func testForeignCSVNamesTheMissingColumns() throws {
        let path = dir + "/other.csv"
        try "model,score\nresnet,0.9\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile.read(path)) { e in
            XCTAssertTrue("\(e)".contains("lacks the columns variant, depth, width, heads, image_size, patch_size, batch, error"), "\(e)")
        }
        try "model,variant,depth,width,heads,image_size,patch_size,batch,error\nm,sideways,1,1,1,1,1,1,\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile.read(path)) { e in
            XCTAssertTrue("\(e)".contains("line 2") && "\(e)".contains("'sideways' is not one of standard, reversible, checkpointed"), "\(e)")
        }
        try "model,variant,depth,width,heads,image_size,patch_size,batch,error\nm,standard,abc,1,1,1,1,1,\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile.read(path)) { e in
            XCTAssertTrue("\(e)".contains("column 'depth': 'abc' is not a whole number"), "\(e)")
        }
    }

    /// A CSV that is not a results file is refused and left alone; rows are not sent to another file behind the
    /// user's back (they once went to runs-2.csv, where --resume never looked).
    func testFileWithAForeignHeaderIsRefusedAndLeftAlone() throws {
        let path = dir + "/runs.csv"
        try "a,b,c\n1,2,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile(path: path)) { e in
            XCTAssertTrue("\(e)".contains("not a RevBench results CSV"), "\(e)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a,b,c\n1,2,3\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/runs-2.csv"))
    }

    /// CRLF line ends and a quoted field holding a line break are read as RFC 4180 has them.
    func testCRLFAndQuotedLineBreaksAreRead() throws {
        let path = dir + "/crlf.csv"
        var r = RunRecord(model: "vit_tiny_test", variant: .standard)
        r.depth = 4; r.batch = 2
        try ResultsFile(path: path).append(r)
        let lf = try String(contentsOfFile: path, encoding: .utf8)
        try lf.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ResultsFile.read(path), [r])
        let quoted = lf.replacingOccurrences(of: ",vit_tiny_test,", with: ",\"vit_tiny\n_test\",")
        try quoted.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ResultsFile.read(path).first?.model, "vit_tiny\n_test")
    }

    /// A binary file is refused without its bytes in the message.
    func testBinaryFileIsRefusedWithoutItsBytes() throws {
        let path = dir + "/binary.csv"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0xfe, 0x01])))
        XCTAssertThrowsError(try ResultsFile.read(path)) { e in
            XCTAssertEqual("\(e)", "'\(path)' is not a text CSV file (it holds binary data)")
        }
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
        let r = RunRequest(try Presets.configuration("vit_tiny_test"), variant: .reversible, batch: 2, threads: 1)
        let row = ChildRunner.run(r, executable: script, quiet: true)
        XCTAssertTrue(row.failed)
        XCTAssertTrue(row.error!.contains("killed by signal 9"), row.error!)
        XCTAssertTrue(row.error!.contains("about to crash"))
        XCTAssertEqual(row.variant, .reversible)
        XCTAssertEqual(row.depth, 4)
    }
}
