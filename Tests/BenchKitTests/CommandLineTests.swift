// The bench executable end to end: bad input gives one clear line and a non-zero exit (no stack trace); a tiny
// run writes one row per variant.
import XCTest
import Foundation

/// The bench binary built beside this test bundle.
var benchExecutablePath: String {
    let here = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
    return here.deletingLastPathComponent().appendingPathComponent("bench").path
}

final class CommandLineTests: XCTestCase {
    var benchPath: String { benchExecutablePath }

    func runBench(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: benchPath), "bench not built at \(benchPath)")
        let r = try BenchProcess.run(args)
        return (r.status, r.out, r.err)
    }

    func assertRejected(_ args: [String], mentions expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try runBench(args)
        XCTAssertNotEqual(r.status, 0, "\(args) should fail", file: file, line: line)
        for e in expected { XCTAssertTrue(r.err.contains(e), "\(args): stderr lacks '\(e)': \(r.err)", file: file, line: line) }
        XCTAssertFalse(r.err.contains("Fatal error") || r.err.contains("Stack dump") || r.err.contains("#0 "),
                       "\(args) printed a crash: \(r.err)", file: file, line: line)
    }

    func testUnknownPresetListsTheKnownOnes() throws {
        try assertRejected(["--model", "vit_gigantic"], mentions: ["unknown model 'vit_gigantic'", "vit_small_patch16_224"])
    }

    func testNonPositiveAndNonIntegerSizes() throws {
        try assertRejected(["--model", "vit_tiny_test", "--depth", "0"], mentions: ["--depth must be a positive integer, got 0"])
        try assertRejected(["--model", "vit_tiny_test", "--width=-8"], mentions: ["--width must be a positive integer, got -8"])
        try assertRejected(["--model", "vit_tiny_test", "--depth", "abc"], mentions: ["abc", "--depth"])
        try assertRejected(["--model", "vit_tiny_test", "--batch", "2,x"], mentions: ["--batch", "'x'"])
        try assertRejected(["--model", "vit_tiny_test", "--batch", "0"], mentions: ["--batch", "'0'"])
        try assertRejected(["--model", "vit_tiny_test", "--steps", "0"], mentions: ["--steps must be a positive integer, got 0"])
    }

    func testIncompatibleSizes() throws {
        try assertRejected(["--model", "vit_tiny_test", "--width", "30", "--heads", "4"], mentions: ["width 30 is not divisible by heads 4"])
        try assertRejected(["--model", "vit_tiny_test", "--image-size", "36"], mentions: ["image size 36 is not divisible by patch size 8"])
    }

    func testUnwritableOutputAndTooManyThreads() throws {
        try assertRejected(["--model", "vit_tiny_test", "--output", "/proc/nope/runs.csv"], mentions: ["/proc/nope"])
        let cores = ProcessInfo.processInfo.activeProcessorCount
        try assertRejected(["--model", "vit_tiny_test", "--threads", "\(cores + 1)"], mentions: ["--threads \(cores + 1)", "1...\(cores)"])
        try assertRejected(["--model", "vit_tiny_test", "--variants", "standard,fast"], mentions: ["unknown variant 'fast'"])
    }

    /// `bench attention` on a tiny model: both cores timed, their GFLOP/s printed; bad counts refused in one line.
    func testAttentionTimesBothCores() throws {
        let r = try runBench(["attention", "--model", "vit_tiny_test", "--batch", "2", "--rounds", "2", "--repeats", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        for expected in ["round 2/2", "math", "fused", "model GFLOP/s", "fused / math time"] {
            XCTAssertTrue(r.out.contains(expected), "lacks '\(expected)': \(r.out)")
        }
        try assertRejected(["attention", "--rounds", "0"], mentions: ["--rounds 0 is outside 1...100"])
        try assertRejected(["attention", "--model", "mvit_tiny_test", "--batch", "0"], mentions: ["--batch 0"])
        try assertRejected(["attention", "--attention", "fused"], mentions: ["--attention fused does not apply"])
        try assertRejected(["attention", "--drop-path", "0.2"], mentions: ["--drop-path 0.2 does not apply"])
        try assertRejected(["attention", "--classes", "10"], mentions: ["--classes 10 does not apply"])
    }

    /// After --resume the closing table holds every requested variant with its ratios, also those whose rows an
    /// earlier run wrote (it showed only what this run measured: the reversible row without a standard to compare).
    func testTheTableAfterResumeShowsTheWholeConfiguration() throws {
        let out = temporaryFolder("resume-table") + "/runs.csv"
        let common = ["--model", "vit_tiny_test", "--batch", "2", "--steps", "1", "--warmup", "0", "--rounds", "1",
                      "--threads", "1", "--quiet", "--output", out]
        XCTAssertEqual(try runBench(common + ["--variants", "standard"]).status, 0)
        let r = try runBench(common + ["--variants", "standard,reversible", "--resume"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("vit_tiny_test ") }.count, 2, r.out)
        let reversible = try XCTUnwrap(lines.first { $0.hasPrefix("vit_tiny_test ") && $0.contains("reversible") })
        XCTAssertEqual(reversible.split(separator: " ").filter { $0.hasSuffix("x") }.count, 2, "mem and speed ratios: \(reversible)")
    }

    /// bench check's options that it would ignore are refused instead.
    func testCheckRefusesOptionsItWouldIgnore() throws {
        try assertRejected(["check", "--current", "a.csv", "--output", "b.csv"], mentions: ["--output b.csv does not apply with --current"])
        try assertRejected(["check", "--current", "a.csv", "--peak-baseline", "p.csv"], mentions: ["--peak-baseline p.csv does not apply"])
        try assertRejected(["check", "--peak-baseline", "/nonexistent/p.csv"], mentions: ["'/nonexistent/p.csv' does not exist"])
    }

    func testTinyRunWritesOneRowPerVariantAndPrintsTheTable() throws {
        let out = NSTemporaryDirectory() + "revbench-cli-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runBench(["--model", "vit_tiny_test", "--batch", "2", "--steps", "1", "--warmup", "0",
                              "--threads", "1", "--output", out, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("reversible") && r.out.contains("mem ratio"), r.out)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4, "header + standard, reversible, checkpointed")
        XCTAssertTrue(lines[1].contains(",standard,") && lines[2].contains(",reversible,") && lines[3].contains(",checkpointed,"))
    }

    func testTableAndPlotRefuseACSVThatIsNotRevBenchs() throws {
        let path = NSTemporaryDirectory() + "revbench-foreign-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "name,accuracy\nresnet50,0.76\n".write(toFile: path, atomically: true, encoding: .utf8)
        for command in ["table", "plot"] {
            let r = try runBench([command, path])
            XCTAssertEqual(r.status, 64, "\(command): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, "one line: \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("error: ") && r.err.contains("lacks the columns model, variant, depth"), r.err)
            XCTAssertEqual(r.out, "")
        }
    }

    func testHelpDocumentsEveryRunOption() throws {
        let r = try runBench(["run", "--help"])
        for option in ["--model", "--depth", "--width", "--heads", "--image-size", "--patch-size", "--batch", "--steps",
                       "--warmup", "--threads", "--variants", "--seed", "--output", "--quiet", "--force"] {
            XCTAssertTrue(r.out.contains(option), "run --help lacks \(option)")
        }
    }
}
