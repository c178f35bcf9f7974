// Finished rounds survive an interruption: each is kept in the journal beside the output as soon as it ends, bench
// says at Ctrl-C what it kept and how to go on, and --resume measures only the missing rounds (an interrupted
// `--rounds 3` used to keep nothing, say nothing, and start again from round 1). The journal's own bookkeeping:
// rounds of another build do not count, and the file goes when it keeps nothing.
import XCTest
import Foundation
@testable import BenchKit
import Models

final class RoundJournalTests: XCTestCase {
    /// End to end, as the user met it: Ctrl-C (SIGINT) after a round of three finished; the output holds no partial
    /// row, the finished rounds are in the journal and bench says so in one line; --resume runs only the rounds left
    /// and the row's rounds and images_per_s_rounds include the kept ones.
    func testAnInterruptedRunKeepsItsFinishedRoundsAndResumeMeasuresOnlyTheRest() throws {
        let folder = temporaryFolder("round-journal")
        let out = folder + "/rnd.csv", journal = RoundJournal.path(for: out)
        XCTAssertEqual(journal, folder + "/.rnd.csv.rounds")
        // A round of about a second on an idle machine: time to stop the parent while the second round runs.
        let args = ["--model", "vit_tiny_test", "--variants", "standard", "--batch", "2", "--warmup", "0",
                    "--threads", "1", "--steps", "1500", "--rounds", "3", "--output", out]
        // Stderr to files: the children's step logs would fill a pipe nobody reads until the end.
        func stderrFile(_ name: String) throws -> (path: String, handle: FileHandle) {
            let path = folder + "/" + name
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
            return (path, try FileHandle(forWritingTo: URL(fileURLWithPath: path)))
        }
        let firstLog = try stderrFile("first.err")
        let parent = BenchProcess.start(args)
        parent.standardError = firstLog.handle
        try parent.run()
        let start = Date()
        var keptNow = 0
        while parent.isRunning && keptNow == 0 && Date().timeIntervalSince(start) < 300 {
            keptNow = (try? ResultsFile.read(journal).count) ?? 0
            if keptNow == 0 { usleep(20_000) }
        }
        // Stopped first, so however busy the machine, the parent cannot finish the run before the signal lands.
        kill(parent.processIdentifier, SIGSTOP)
        kill(parent.processIdentifier, SIGINT)
        kill(parent.processIdentifier, SIGCONT)
        parent.waitUntilExit()
        let said = try String(contentsOfFile: firstLog.path, encoding: .utf8)
        XCTAssertGreaterThan(keptNow, 0, "no round was kept before the run ended: \(said)")
        XCTAssertEqual(parent.terminationReason, .uncaughtSignal, said)
        XCTAssertEqual(parent.terminationStatus, SIGINT, said)
        XCTAssertEqual(try ResultsFile.read(out), [], "no partial row in the output")
        let kept = try ResultsFile.read(journal)
        XCTAssertTrue((1...2).contains(kept.count), "\(kept.count) rounds kept")
        XCTAssertTrue(said.contains("bench: interrupted; kept \(kept.count) finished round\(kept.count == 1 ? "" : "s") in "
                                    + "\(journal): run the same command with --resume to measure only what is missing"), said)

        let resumeLog = try stderrFile("resume.err")
        let resume = BenchProcess.start(args + ["--resume"])
        resume.standardError = resumeLog.handle
        try resume.run()
        resume.waitUntilExit()
        let resumed = (status: resume.terminationStatus, err: try String(contentsOfFile: resumeLog.path, encoding: .utf8))
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("--resume: \(kept.count) of 3 rounds of vit_tiny_test standard depth 4 batch 2 "
                                           + "kept in \(journal) from an interrupted run"), resumed.err)
        let measuredRounds = resumed.err.split(separator: "\n").filter { $0.contains("] vit_tiny_test standard depth 4 batch 2, round ") }
        XCTAssertEqual(measuredRounds.map { String($0.split(separator: ",")[1].dropFirst()) },
                       (kept.count + 1...3).map { "round \($0)/3" }, "only the missing rounds are measured: \(resumed.err)")
        let rows = try ResultsFile.read(out)
        XCTAssertEqual(rows.count, 1)
        let row = try XCTUnwrap(rows.first)
        XCTAssertEqual(row.rounds, 3)
        let perRound = CSV.numbers(row.imagesPerSecondRounds)
        XCTAssertEqual(perRound.count, 3)
        XCTAssertEqual(Array(perRound.prefix(kept.count)), kept.compactMap(\.imagesPerSecond), "the kept rounds come first")
        XCTAssertEqual(CSV.numbers(row.stepSecondsAll).count, 3 * 1500)
        XCTAssertFalse(FileManager.default.fileExists(atPath: journal), "the journal goes once the row is written")
    }

    /// Kept rounds that can no longer count never stay in the journal for good: those of another commit (or machine,
    /// or settings) are set aside, and said so, when --resume meets their configuration; those of a configuration
    /// whose row the output already holds (interrupted between the row's append and the clean-up) go at the start.
    func testRoundsThatCannotCountAreSetAsideNotLeftForGood() throws {
        let folder = temporaryFolder("round-journal-foreign")
        let args = ["--model", "vit_tiny_test", "--variants", "standard", "--batch", "2", "--warmup", "0", "--threads", "1",
                    "--steps", "2", "--rounds", "1", "--quiet"]
        let done = folder + "/done.csv"
        XCTAssertEqual(try BenchProcess.run(args + ["--output", done]).status, 0)
        let row = try XCTUnwrap(try ResultsFile.read(done).first)

        var foreign = row
        foreign.gitSHA = "0123456789ab"
        let other = folder + "/other.csv"
        let journal = RoundJournal(output: other, build: try XCTUnwrap(row.build))
        try journal.keep(foreign)
        let r = try BenchProcess.run(args.filter { $0 != "--quiet" } + ["--output", other, "--resume"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("--resume: set aside 1 kept round in \(journal.path) of another commit, machine or settings"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: journal.path))
        XCTAssertEqual(try ResultsFile.read(other).count, 1)

        let stale = RoundJournal(output: done, build: try XCTUnwrap(row.build))
        try stale.keep(row)
        XCTAssertEqual(try BenchProcess.run(args + ["--output", done, "--resume"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "the rounds of a written row go")
    }

    /// Discarding a configuration's rounds keeps the others' (a shard beside this one may be writing them); a round
    /// of another build is never offered; the journal is removed when it keeps nothing.
    func testDiscardKeepsOtherConfigurationsAndRemovesAnEmptyJournal() throws {
        let out = temporaryFolder("round-journal-discard") + "/runs.csv"
        func round(_ variant: Variant, build: String = "release") -> RunRecord {
            var r = RunRecord(model: "vit_tiny_test", variant: variant)
            r.depth = 4; r.width = 32; r.heads = 2; r.imageSize = 32; r.patchSize = 8; r.batch = 2; r.build = build
            r.imagesPerSecond = 10
            return r
        }
        let journal = RoundJournal(output: out, build: "release")
        try journal.keep(round(.standard))
        try journal.keep(round(.reversible))
        try journal.keep(round(.standard, build: "debug"))
        XCTAssertEqual(try journal.rounds { _ in true }.map(\.variant), [.standard, .reversible])
        try journal.discard { $0.variant == .standard }
        XCTAssertEqual(try journal.rounds { _ in true }.map(\.variant), [.reversible])
        XCTAssertEqual(try ResultsFile.read(journal.path).map(\.build), ["release", "debug"], "another build's round stays")
        try journal.discard { _ in true }
        XCTAssertEqual(try ResultsFile.read(journal.path).map(\.build), ["debug"])
        let debug = RoundJournal(output: out, build: "debug")
        try debug.discard { _ in true }
        XCTAssertFalse(FileManager.default.fileExists(atPath: journal.path))
        XCTAssertNil(try? ResultsFile.read(out), "the output itself is not touched")
    }
}
