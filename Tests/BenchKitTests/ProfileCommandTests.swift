// bench profile as a user meets it, run as a child: a model too big for memory is refused before any child starts
// (as bench run refuses it), the default output is a folder of its own named for the configuration (not
// results/profile itself, which holds the committed profiles' folders), a folder holding anything but a previous
// profile is refused and left alone, and a previous profile is replaced as a whole.
import XCTest
import Foundation
import Models
@testable import BenchKit

final class ProfileCommandTests: XCTestCase {
    static let tiny = ["profile", "--model", "vit_tiny_test", "--batch", "1", "--threads", "1", "--variants", "standard", "--warmup", "0"]

    /// Runs bench in `folder` as its working directory.
    func run(_ args: [String], in folder: String) throws -> BenchProcess {
        try BenchProcess.run(args, in: folder)
    }

    func contents(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// A model whose predicted peak exceeds the machine's memory is refused in one line naming --force, before any
    /// child starts (it used to be profiled until the kernel's OOM killer ended the child), and nothing is created.
    func testAModelTooBigForMemoryIsRefusedBeforeAnythingRuns() throws {
        let dir = temporaryFolder("profile-memory")
        let output = dir + "/never"
        let refused = try BenchProcess.run(["profile", "--model", "mvit_tiny_test", "--depth", "10000", "--batch", "100000",
                                            "--output", output])
        refused.assertRefused(["needs about", "GiB is available", "--force"], "profile of a model too big for memory")
        XCTAssertFalse(refused.out.contains("[1/"), "nothing was profiled: \(refused.out)")
        // Above 1 PiB even --force does not run it.
        try BenchProcess.run(["profile", "--model", "mvit_tiny_test", "--depth", "10000", "--batch", "10000000", "--force",
                              "--output", output]).assertRefused(["choose smaller sizes"], "profile --force above 1 PiB")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a refused profile creates no folder")
    }

    /// Without --output the files go to results/profile/<configuration>/, never to results/profile itself.
    func testTheDefaultOutputIsAFolderNamedForTheConfiguration() throws {
        let dir = temporaryFolder("profile-default")
        try FileManager.default.createDirectory(atPath: dir + "/results/profile/vit_small_d12_b8", withIntermediateDirectories: true)
        let r = try run(Self.tiny + ["--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(contents(dir + "/results/profile"), ["vit_small_d12_b8", "vit_tiny_test_d4_b1"],
                       "nothing is written at the top of results/profile")
        XCTAssertEqual(contents(dir + "/results/profile/vit_tiny_test_d4_b1"), ProfileExperiment.files.sorted())
        XCTAssertEqual(contents(dir + "/results/profile/vit_small_d12_b8"), [], "another profile's folder is untouched")
    }

    func testTheDefaultFolderNameSaysWhatDiffersFromThePreset() throws {
        let vit = try Presets.configuration("vit_small_patch16_224") { _ in }
        XCTAssertEqual(ProfileExperiment.defaultFolderName(vit, batch: 8, preset: vit), "vit_small_patch16_224_d12_b8")
        var fused = vit
        fused.attention = .fused
        fused.width = 192
        fused.heads = 3
        XCTAssertEqual(ProfileExperiment.defaultFolderName(fused, batch: 2, preset: vit), "vit_small_patch16_224_d12_b2_w192_h3_fused")
        let mvit = try Presets.configuration("rev_mvit_base_16") { _ in }
        var recompute = mvit
        recompute.transitions = .recompute
        XCTAssertEqual(ProfileExperiment.defaultFolderName(recompute, batch: 2, preset: mvit), "mvit_base_16_d16_b2_recompute")
    }

    /// --output at a folder of other things (results/profile with its profiles' folders, results/ with its CSVs)
    /// or at a folder with a file of a profile's name that bench did not write is refused before profiling, and
    /// every file there is left as it was.
    func testAFolderHoldingOtherFilesIsRefusedAndLeftAlone() throws {
        let dir = temporaryFolder("profile-foreign")
        let results = dir + "/results"
        try FileManager.default.createDirectory(atPath: results + "/profile/vit_small_d12_b8", withIntermediateDirectories: true)
        try "model,depth\nx,1\n".write(toFile: results + "/runs.csv", atomically: true, encoding: .utf8)
        for (output, mentions) in [(results + "/profile", ["'vit_small_d12_b8/'", "new or empty folder"]),
                                   (results, ["'runs.csv'", "'profile/'"])] {
            let r = try BenchProcess.run(Self.tiny + ["--output", output])
            r.assertRefused(["--output folder '\(output)'"] + mentions, "profile into \(output)")
            XCTAssertFalse(r.out.contains("[1/"), "nothing was profiled: \(r.out)")
        }
        XCTAssertEqual(contents(results), ["profile", "runs.csv"])
        XCTAssertEqual(contents(results + "/profile"), ["vit_small_d12_b8"])
        // A peak.csv of someone else's.
        let mine = dir + "/mine"
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        try "a,b\n1,2\n".write(toFile: mine + "/peak.csv", atomically: true, encoding: .utf8)
        try BenchProcess.run(Self.tiny + ["--output", mine]).assertRefused(["'peak.csv' that bench profile did not write"], "foreign peak.csv")
        XCTAssertEqual(try String(contentsOfFile: mine + "/peak.csv", encoding: .utf8), "a,b\n1,2\n")
        // A folder name too long for the file system is refused before profiling (it failed after it).
        let long = dir + "/" + String(repeating: "x", count: 300)
        let r = try BenchProcess.run(Self.tiny + ["--output", long])
        r.assertRefused(["is 300 bytes; a file name is at most 255"], "a 300-byte folder name")
        XCTAssertFalse(r.out.contains("[1/"), "nothing was profiled: \(r.out)")
    }

    /// A folder holding a previous profile is replaced as a whole (said so), and leaves no temporary behind.
    func testAPreviousProfileIsReplaced() throws {
        let output = temporaryFolder("profile-replace") + "/with space/p"
        let first = try BenchProcess.run(Self.tiny + ["--output", output])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertFalse(first.out.contains("replacing"), first.out)
        let second = try BenchProcess.run(Self.tiny + ["--output", output, "--variants", "standard,reversible"])
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertTrue(second.out.contains("replacing the profile in '\(output)'"), second.out)
        XCTAssertEqual(contents(output), ProfileExperiment.files.sorted(), "no temporaries left")
        let peak = try ProfileExperiment.readPeak(output + "/peak.csv")
        XCTAssertEqual(Set(peak.map(\.variant)), ["standard", "reversible"], "the new profile, whole")
    }

    /// A PyTorch breakdown of another model, depth, batch or attention is refused before profiling (another model's
    /// used to be compared block by block with nothing: -100% on every row).
    func testABreakdownOfAnotherConfigurationIsRefused() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/breakdown/mvit_tiny_test_math.json").path
        let output = temporaryFolder("profile-torch") + "/p"
        for (args, mention) in [(["--model", "vit_tiny_test", "--batch", "2"], "this profile is vit_tiny_test"),
                                (["--model", "mvit_tiny_test", "--depth", "8", "--batch", "2"], "depth 8"),
                                (["--model", "mvit_tiny_test", "--batch", "1"], "batch 1")] {
            let r = try BenchProcess.run(["profile", "--variants", "standard", "--output", output,
                                          "--torch-breakdown", fixture] + args)
            r.assertRefused(["--torch-breakdown", "is mvit_tiny_test, depth 7, batch 2", mention], args.joined(separator: " "))
            XCTAssertFalse(r.out.contains("[1/"), "nothing was profiled: \(r.out)")
        }
    }

    /// Progress: the child says what it is doing before each long stretch (building, each warm-up step with its
    /// seconds, the profiled step), and the summary names recomputed transitions (it named only the attention).
    func testProgressAndTheSummarySayWhatRuns() throws {
        let output = temporaryFolder("profile-progress") + "/p"
        let r = try BenchProcess.run(["profile", "--model", "rev_mvit_tiny_test", "--transitions", "recompute", "--batch", "1",
                                      "--threads", "1", "--variants", "reversible", "--output", output])
        XCTAssertEqual(r.status, 0, r.err)
        for line in ["building the model", "warm-up step 1/1: ", "profiling one step", "profiled step: "] {
            XCTAssertTrue(r.err.contains(line), "stderr lacks '\(line)': \(r.err)")
        }
        XCTAssertTrue(r.out.contains("profile of 1 variant to \(output)"), r.out)
        XCTAssertTrue(r.out.contains("[1/1] profiling mvit_tiny_test reversible"), r.out)
        let summary = try String(contentsOfFile: output + "/summary.txt", encoding: .utf8)
        XCTAssertTrue(summary.hasPrefix("Profile of one training step: mvit_tiny_test, depth 7, batch 1, math attention, "
                                        + "stage transitions recomputed"), summary)
    }

    /// Ctrl-C (SIGINT to the parent alone) while a variant is profiled: the parent dies of it, its child does not
    /// outlive it, and nothing is left at --output: no file, no temporary, not even the folder (it used to be
    /// created, empty, before the first child started).
    func testAnInterruptedProfileLeavesNothingAndNoChild() throws {
        let output = temporaryFolder("profile-interrupt") + "/p"
        // Many warm-up steps of a small model: long enough to be interrupted, light on memory.
        let parent = BenchProcess.start(["profile", "--model", "vit_small_patch16_224", "--depth", "1", "--batch", "1",
                                         "--threads", "1", "--warmup", "100", "--output", output])
        try parent.run()
        var child: Int32?
        let start = Date()
        while parent.isRunning && child == nil && Date().timeIntervalSince(start) < 120 {
            child = BenchProcess.children(of: parent.processIdentifier, running: "profile-one").first
            usleep(20_000)
        }
        guard let child else { parent.terminate(); return XCTFail("no profiling child appeared") }
        defer { kill(child, SIGKILL) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no folder before the profile is written")
        kill(parent.processIdentifier, SIGINT)
        parent.waitUntilExit()
        XCTAssertEqual(parent.terminationReason, .uncaughtSignal)
        XCTAssertEqual(parent.terminationStatus, SIGINT)
        var gone = false
        for _ in 0..<250 where !gone {
            gone = !FileManager.default.fileExists(atPath: "/proc/\(child)") || ((try? String(contentsOfFile: "/proc/\(child)/stat",
                encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first == "Z")
            if !gone { usleep(20_000) }
        }
        XCTAssertTrue(gone, "the profiling child outlived its parent")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "an interrupted profile leaves nothing at --output")
    }
}
