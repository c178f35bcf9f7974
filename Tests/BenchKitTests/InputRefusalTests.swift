// Issue 23, items 10-13: absurd sizes, sizes that overflow, and malformed lists and budgets are refused in one line
// naming the value (exit 64), before anything is allocated or measured; none traps, prints a negative size, or
// drives the machine out of memory.
import XCTest
import Foundation
@testable import BenchKit

final class InputRefusalTests: XCTestCase {
    /// Item 10: a huge depth, width or class count is refused before a model is built (the size check used to build
    /// every weight to count them: 22 GB resident for --depth 1000000000).
    func testHugeModelSizesAreRefusedBeforeAnythingIsBuilt() throws {
        let cases: [([String], String)] = [
            (["--model", "vit_tiny_test", "--depth", "1000000000"], "depth 1000000000 is outside 1...10000"),
            (["--model", "vit_tiny_test", "--width", "4000000000000", "--heads", "1"], "width 4000000000000 is outside 1...65536"),
            (["--model", "vit_tiny_test", "--classes", "9000000000000000000"], "classes 9000000000000000000 is outside 1...10000000"),
            // Within 64 bits but beyond any machine: refused by the memory check, and even with --force above 1 PiB.
            (["--model", "mvit_tiny_test", "--depth", "10000", "--batch", "100000"], "needs about 86708.5 GiB"),
            (["--model", "mvit_tiny_test", "--depth", "10000", "--batch", "10000000", "--force"], "choose smaller sizes"),
        ]
        for (args, message) in cases {
            try BenchProcess.run(args + ["--output", NSTemporaryDirectory() + "revbench-never-\(UUID().uuidString).csv"])
                .assertRefused([message], args.joined(separator: " "))
        }
    }

    /// `bench stability` and `bench attention` allocate in their own process: a batch beyond the machine's memory is
    /// refused by the predicted peak as `run`'s is (it used to die in the allocator with a backtrace and leave a
    /// header-only CSV), and --force is the way past it.
    func testStabilityAndAttentionRefuseWhatCannotFit() throws {
        let output = NSTemporaryDirectory() + "revbench-never-\(UUID().uuidString).csv"
        let cases: [[String]] = [
            ["stability", "--model", "vit_tiny_test", "--depths", "2", "--batch", "100000000", "--steps", "1", "--output", output],
            ["attention", "--model", "vit_tiny_test", "--batch", "100000000"],
        ]
        for args in cases {
            try BenchProcess.run(args).assertRefused(["batch 100000000", "needs about", "--force"], args.joined(separator: " "))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a refused stability run leaves no file")
    }

    /// Items 11 and 12: sizes that overflowed (traps) or wrapped (negative GiB, negative parameters).
    func testOverflowingSizesAreRefusedNotTrappedOrPrintedNegative() throws {
        let cases: [([String], String)] = [
            (["budget", "--memory", "1e30GiB"], "got '1e30GiB'"),
            (["budget", "--memory", "infGiB"], "got 'infGiB'"),
            (["budget", "--memory", "nanGiB"], "got 'nanGiB'"),
            (["run", "--model", "vit_tiny_test", "--batch", "9000000000000000000"], "batch 9000000000000000000: far too large"),
            (["predict", "--depth", "4000000000000000000"], "depth 4000000000000000000 is outside 1...10000"),
            (["predict", "--width", "4000000000000", "--heads", "1"], "width 4000000000000 is outside"),
            (["predict", "--classes", "9000000000000000000"], "classes 9000000000000000000 is outside"),
            (["predict", "--batch", "100000000000000"], "batch 100000000000000: far too large"),
            (["predict", "--image-size", "4000000000", "--patch-size", "1"], "image size 4000000000 is outside 1...65536"),
            (["predict", "--image-size", "65536", "--patch-size", "1"], "far too large"),
            (["attention", "--model", "vit_tiny_test", "--batch", "9000000000000000000"], "far too large"),
            (["run", "--model", "vit_tiny_test", "--steps", "9000000000000000000"], "--steps 9000000000000000000 is outside 1...1000000"),
            (["run", "--model", "vit_tiny_test", "--shard", "1/9000000000000000000"], "got '1/9000000000000000000'"),
            (["sweep", "--models", "vit_tiny_test", "--warmup", "9000000000000000000"], "--warmup 9000000000000000000 is outside 0...1000000"),
            (["stability", "--model", "vit_tiny_test", "--steps", "9000000000000000000"], "--steps 9000000000000000000 is outside 0...1000000"),
        ]
        for (args, message) in cases {
            let r = try BenchProcess.run(args)
            r.assertRefused([message], args.joined(separator: " "))
            XCTAssertFalse(r.out.contains("-"), "\(args): no negative size printed: \(r.out)")
        }
    }

    /// Item 13: size parsing.
    func testBudgetSizes() throws {
        XCTAssertEqual(try BudgetExperiment.parseBytes("16GiB"), 16 << 30)
        XCTAssertEqual(try BudgetExperiment.parseBytes("2 GiB"), 2 << 30, "one space before the unit is allowed")
        XCTAssertEqual(try BudgetExperiment.parseBytes("1.5GiB"), 3 << 29)
        XCTAssertEqual(try BudgetExperiment.parseBytes("1048576"), 1 << 20)
        XCTAssertEqual(try BudgetExperiment.parseBytes("2G"), 2 << 30, "as Slurm's --mem")
        XCTAssertEqual(try BudgetExperiment.parseBytes("2GB"), 2_000_000_000)
        XCTAssertEqual(try BudgetExperiment.parseBytes("2048K"), 2 << 20)
        for bad in ["1 0GiB", "0.0000001GiB", "1KiB", "inf", "infGiB", "nanGiB", "1e30GiB", "-1GiB", "2048TiB", "1..5GiB", "", "GiB"] {
            XCTAssertThrowsError(try BudgetExperiment.parseBytes(bad), "'\(bad)'") { e in
                XCTAssertTrue("\(e)".contains("between 1 MiB and 1024 TiB") && "\(e)".contains("'\(bad)'"), "\(e)")
            }
        }
    }

    /// A budget above the machine's memory is refused naming it as given, not as thousands of GiB.
    func testABudgetAboveTheMachinesMemoryIsRefusedAsGiven() throws {
        let out = ["--output", NSTemporaryDirectory() + "revbench-never-\(UUID().uuidString).csv"]
        try BenchProcess.run(["budget", "--memory", "1000TiB", "--models", "vit_tiny_test", "--depths", "4"] + out)
            .assertRefused(["--memory 1000 TiB is more than the", "GiB available"], "--memory 1000TiB")
        XCTAssertEqual([1 << 20, 3 << 29, 16 << 30, 1_000_000_000].map(Format.bytes), ["1 MiB", "1.5 GiB", "16 GiB", "953.7 MiB"])
    }

    /// Item 13: a negative number reaches the option's own check (not the parser's "Missing value"); empty and
    /// repeated list entries are refused (a repeat would measure one configuration twice).
    func testNegativeNumbersEmptyAndRepeatedLists() throws {
        let out = ["--output", NSTemporaryDirectory() + "revbench-never-\(UUID().uuidString).csv"]
        try BenchProcess.run(["--model", "vit_tiny_test", "--depth", "-3"] + out)
            .assertRefused(["--depth must be a positive integer, got -3"], "--depth -3")
        try BenchProcess.run(["predict", "--batch", "-2"]).assertRefused(["--batch must be a positive integer, got -2"], "--batch -2")
        try BenchProcess.run(["sweep", "--models", ""] + out).assertRefused(["--models", "empty"], "--models ''")
        try BenchProcess.run(["sweep", "--models", "vit_tiny_test", "--batches", "2,2"] + out)
            .assertRefused(["--batches lists '2' twice"], "--batches 2,2")
        try BenchProcess.run(["--model", "vit_tiny_test", "--variants", "standard,standard"] + out)
            .assertRefused(["--variants lists 'standard' twice"], "--variants twice")
        // A rev_ name selects the same pair as its standard name: listing both would measure the pair twice.
        for command in ["sweep", "budget"] {
            try BenchProcess.run([command, "--models", "vit_tiny_test,rev_vit_tiny_test"] + out)
                .assertRefused(["--models names the pair 'vit_tiny_test' twice", "'rev_vit_tiny_test'"], command)
        }
        // calibrate's counts: a negative one reached the parser ("Missing value"), a huge one ran for ever.
        for (args, message) in [(["--repeats", "-3"], "--repeats -3 is outside 1...1000"),
                                (["--repeats", "99999999999"], "--repeats 99999999999 is outside 1...1000"),
                                (["--kernel-rounds", "-1"], "--kernel-rounds -1 is outside 1...20")] {
            try BenchProcess.run(["calibrate"] + args).assertRefused([message], args.joined(separator: " "))
        }
    }

    /// Item 13: `reproduce --dry-run --markdown F` changes nothing.
    func testReproduceDryRunDoesNotRewriteTheMarkdown() throws {
        let path = NSTemporaryDirectory() + "revbench-plan-\(UUID().uuidString).md"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let doc = "# results\n<!-- BEGIN reproduce -->\nold\n<!-- END reproduce -->\n"
        try doc.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try BenchProcess.run(["reproduce", "--dry-run", "--markdown", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("would update") || r.out.contains("up to date"), r.out)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), doc)
    }

    /// What the argument parser itself refuses (a value outside an enum's cases, a value of the wrong type, an
    /// unknown option, a missing value) is one `error:` line naming it, exit 64, like every other refused input:
    /// not the parser's error, help line and usage block.
    func testWhatTheArgumentParserRefusesIsOneErrorLine() throws {
        let cases: [([String], [String])] = [
            (["run", "--attention", "bad"], ["'bad'", "--attention", "'math' and 'fused'"]),
            (["profile", "--transitions", "sometimes"], ["'sometimes'", "--transitions"]),
            (["run", "--seed", "-3"], ["'-3'", "--seed", "it must be 0 or more"]),
            (["run", "--seed", "99999999999999999999"], ["--seed", "it is too large"]),
            (["run", "--seed", "abc"], ["--seed", "it takes a number"]),
            (["predict", "--batch", "2,4"], ["'2,4'", "takes one value, not a list"]),
            (["run", "--no-such-option"], ["'--no-such-option'"]),
            (["predict", "--batch"], ["--batch"]),
            (["frobnicate"], ["unknown subcommand 'frobnicate'", "subcommands: run, sweep", "profile;"]),
        ]
        for (args, mentions) in cases {
            try BenchProcess.run(args).assertRefused(mentions, args.joined(separator: " "))
        }
    }
}
