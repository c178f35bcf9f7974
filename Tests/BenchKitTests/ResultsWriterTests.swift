// The results writer under a hostile user and a failing machine (issue 23, items 1-7, and the later pass on lost
// files): a folder, a named pipe or a foreign file is never a target, the writer refuses what the readers refuse,
// concurrent writers make one header, a row starts on a fresh line, a short write is cut back and says what it was
// writing, a replace is one rename whose temporary dies with the process and loses no row or column, an unwritable
// output is found before measuring, and a file with an older header is upgraded in place so --resume finds its rows.
import XCTest
import Foundation
@testable import BenchKit
import Models
#if canImport(Glibc)
import Glibc
#endif

final class ResultsWriterTests: XCTestCase {
    var dir: String!

    override func setUp() { dir = temporaryFolder("writer") }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let tiny = ["--model", "vit_tiny_test", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1",
                       "--rounds", "1", "--variants", "standard", "--quiet"]

    func row(_ depth: Int, _ variant: Variant = .standard, error: String? = nil) -> RunRecord {
        var r = RunRecord(model: "vit_tiny_test", variant: variant)
        r.depth = depth; r.width = 32; r.heads = 2; r.imageSize = 32; r.patchSize = 8; r.batch = 2; r.build = "b"
        r.error = error
        return r
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Items 1 and 2: every command that writes results refuses a folder and a file that is not a results CSV, in
    /// one line and before it measures; the folder and the file (and what the folder holds) are untouched.
    func testEveryWritingCommandRefusesAFolderAndAForeignFile() throws {
        let folder = dir + "/results", inside = folder + "/in.csv", notes = dir + "/notes.md", foreign = dir + "/other.csv"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = try ResultsFile(path: inside)
        try file.append(row(4))
        try "# my notes\n".write(toFile: notes, atomically: true, encoding: .utf8)
        try "name,accuracy\nresnet50,0.76\n".write(toFile: foreign, atomically: true, encoding: .utf8)
        let before = [inside, notes, foreign].map(bytes)
        let ci = Self.repository + "/results/baseline/ci.csv"
        let commands: [(String, (String) -> [String])] = [
            ("run", { ["--model", "vit_tiny_test", "--output", $0] }),
            ("sweep", { ["sweep", "--models", "vit_tiny_test", "--output", $0] }),
            ("budget", { ["budget", "--memory", "64MiB", "--models", "vit_tiny_test", "--depths", "2", "--output", $0] }),
            ("stability", { ["stability", "--model", "vit_tiny_test", "--depths", "2", "--steps", "1", "--output", $0] }),
            ("merge", { ["merge", "-o", $0, inside] }),
            ("baseline update", { ["baseline", "update", "--baseline", $0] }),
            ("check --output", { ["check", "--baseline", ci, "--output", $0] }),
        ]
        for (name, args) in commands {
            try BenchProcess.run(args(folder)).assertRefused(["'\(folder)' is a folder"], "\(name) into a folder")
            try BenchProcess.run(args(notes)).assertRefused(["'\(notes)' is not a .csv file name"], "\(name) into notes.md")
            try BenchProcess.run(args(foreign)).assertRefused(["'\(foreign)'", "not a RevBench results CSV"], "\(name) into a foreign CSV")
        }
        XCTAssertEqual([inside, notes, foreign].map(bytes), before, "nothing was changed or removed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["in.csv"])
    }

    /// Item 3: a file whose last row lacks its newline gets one before the next row: both rows survive and the file
    /// reads back (`head -c -1 good.csv > f.csv; bench run --output f.csv`).
    func testAppendStartsOnAFreshLine() throws {
        let path = dir + "/f.csv"
        try ResultsFile(path: path).append(row(4))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try String(text.dropLast()).write(toFile: path, atomically: true, encoding: .utf8)
        try ResultsFile(path: path).append(row(8))
        XCTAssertEqual(try ResultsFile.read(path).map(\.depth), [4, 8])
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("\n"))
    }

    /// Item 3: a write the file will not take (here the file size limit, as `ulimit -f` sets it) is cut back to the
    /// last complete row and reported with its real cause; the next row, once there is room, lands on its own line.
    func testShortWriteIsCutBackToTheLastCompleteRow() throws {
        let path = dir + "/limited.csv"
        let file = try ResultsFile(path: path)
        try file.append(row(4))
        let before = try XCTUnwrap(bytes(path))
        let failure = withFileSizeLimit(before.count + 40) { try file.append(row(8)) }   // room for part of a row only
        let message = "\(try XCTUnwrap(failure, "the write past the limit must fail"))"
        XCTAssertTrue(message.contains("File too large") && message.contains("cannot write a row to '\(path)'"), message)
        XCTAssertEqual(bytes(path), before, "cut back to the last complete row")
        try file.append(row(16))
        XCTAssertEqual(try ResultsFile.read(path).map(\.depth), [4, 16])
    }

    /// Runs `body` with this process's file size limit (as `ulimit -f` sets it) at `bytes`, so a write past it fails
    /// as on a full disk (EFBIG instead of ENOSPC); returns the error `body` threw (nil if none).
    func withFileSizeLimit(_ bytes: Int, _ body: () throws -> Void) -> Error? {
        var saved = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
        XCTAssertEqual(getrlimit(resource, &saved), 0)
        var limited = saved
        limited.rlim_cur = rlim_t(bytes)
        XCTAssertEqual(setrlimit(resource, &limited), 0)
        defer { XCTAssertEqual(setrlimit(resource, &saved), 0) }
        do { try body() } catch { return error }
        return nil
    }

    /// A write that fails says what it was writing, and leaves what was there before: a new file whose header does
    /// not fit is removed (it once stayed behind empty, and the message spoke of "a row"), an empty file stays empty,
    /// and a merge whose new file does not fit leaves no output and no temporary (it too spoke of "a row").
    func testAFailedHeaderOrMergeSaysWhatItWroteAndLeavesThePreviousState() throws {
        let new = dir + "/new.csv", empty = dir + "/empty.csv", merged = dir + "/merged.csv", input = dir + "/in.csv"
        let failure = withFileSizeLimit(10) { _ = try ResultsFile(path: new) }
        let message = "\(try XCTUnwrap(failure, "the header past the limit must fail"))"
        XCTAssertTrue(message.contains("cannot write the header of '\(new)'") && message.contains("File too large")
                      && message.contains("the new file is removed") && !message.contains("a row"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: new), "no empty file left behind")

        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        let again = withFileSizeLimit(10) { _ = try ResultsFile(path: empty) }
        XCTAssertTrue("\(try XCTUnwrap(again))".contains("the file is kept empty"), "\(again!)")
        XCTAssertEqual(bytes(empty), Data(), "the user's empty file stays, empty")

        let file = try ResultsFile(path: input)
        for d in [4, 8] { try file.append(row(d)) }
        let lines = try Merge.lines(of: [input])
        let merge = withFileSizeLimit(100) { try Merge.write(lines, to: merged, from: [input]) }
        let said = "\(try XCTUnwrap(merge, "the merged file past the limit must fail"))"
        XCTAssertTrue(said.contains("cannot write the new '\(merged)'") && said.contains("File too large")
                      && !said.contains("a row"), said)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["empty.csv", "in.csv"],
                       "no output, no temporary")
    }

    /// Item 3: a file cut mid-row by something else is refused by readers and by the writer alike, naming the line
    /// and why (appending below it made a file none of bench's commands read: `head -c -30 a.csv > t.csv; bench run
    /// --output t.csv` succeeded, then table, merge, plot and --resume refused t.csv). The fragment is the user's:
    /// it is left as it is, and nothing is measured.
    func testAFileCutMidRowIsRefusedByTheWriterAsByTheReaders() throws {
        let path = dir + "/cut.csv"
        try ResultsFile(path: path).append(row(4))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try String(text.dropLast(30)).write(toFile: path, atomically: true, encoding: .utf8)
        let before = bytes(path)
        for open in [{ _ = try ResultsFile.read(path) }, { _ = try ResultsFile(path: path) }] {
            XCTAssertThrowsError(try open()) { e in
                XCTAssertTrue("\(e)".contains("'\(path)' line 2") && "\(e)".contains("cut short")
                              && "\(e)".contains("repair or remove that line"), "\(e)")
            }
        }
        let run = try BenchProcess.run(Self.tiny + ["--output", path])
        run.assertRefused(["'\(path)' line 2", "cut short", "repair or remove that line", "choose another --output"],
                          "run onto a cut file")
        XCTAssertFalse(run.err.contains("SGEMM") || run.err.contains("[1/"), "nothing was measured")
        XCTAssertEqual(bytes(path), before, "the fragment is kept as it is")
    }

    /// One check for reading and appending: each damaged file the readers refuse, the writer refuses too, with the
    /// same words and the file unchanged; a file the readers accept (a last row without its newline) takes rows.
    func testTheWriterRefusesExactlyWhatTheReadersRefuse() throws {
        let good = try CSV.header(RunRecord.self) + "\n" + CSV.line(row(4)) + "\n"
        let cells = try CSV.line(row(8))
        let damaged: [(String, String)] = [
            ("a cut last row", String(good.dropLast(30))),
            ("a row with a field too many", good + cells + ",extra\n" + cells + "\n"),
            ("a row whose variant cannot be read", good + cells.replacingOccurrences(of: ",standard,", with: ",sideways,") + "\n"),
            ("a header without the configuration columns", "model,score\nresnet,0.9\n"),
            ("binary data", "timestamp\u{0}\u{1}"),
            ("a blank first line", "\n" + good),
        ]
        for (k, (what, content)) in damaged.enumerated() {
            let path = dir + "/damaged-\(k).csv"
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            let before = bytes(path)
            var readerError = "", writerError = ""
            XCTAssertThrowsError(try ResultsFile.read(path), what) { readerError = "\($0)" }
            XCTAssertThrowsError(try ResultsFile(path: path), what) { writerError = "\($0)" }
            let problem = readerError.components(separatedBy: "; ").first ?? readerError
            XCTAssertFalse(problem.isEmpty, what)
            XCTAssertTrue(writerError.hasPrefix(problem) && writerError.contains("it is left alone"), "\(what): \(writerError)")
            XCTAssertEqual(bytes(path), before, "\(what): unchanged")
        }
        let path = dir + "/no-final-newline.csv"
        try String(good.dropLast()).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ResultsFile.read(path).count, 1)
        try ResultsFile(path: path).append(row(8))
        XCTAssertEqual(try ResultsFile.read(path).map(\.depth), [4, 8])
    }

    /// Item 4: writers that start together on one new file write one header between them, and every row whole.
    func testConcurrentWritersWriteOneHeader() throws {
        for trial in 0..<6 {
            let path = dir + "/together-\(trial).csv"
            DispatchQueue.concurrentPerform(iterations: 8) { writer in
                do {
                    let file = try ResultsFile(path: path)
                    for k in 0..<5 { try file.append(row(100 * writer + k)) }
                } catch { XCTFail("writer \(writer): \(error)") }
            }
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.filter { $0 == CSV.header(RunRecord.self) }.count, 1, "one header")
            XCTAssertEqual(lines.first.map(String.init), CSV.header(RunRecord.self))
            XCTAssertEqual(Set(try ResultsFile.read(path).compactMap(\.depth)).count, 40, "every row once, whole")
        }
    }

    /// Item 4, as the user met it: separate bench processes starting on the same new output.
    func testConcurrentBenchRunsWriteOneHeader() throws {
        let path = dir + "/runs.csv"
        let runs = (0..<3).map { _ in BenchProcess.start(Self.tiny + ["--output", path]) }
        for p in runs { try p.run() }
        for p in runs { p.waitUntilExit(); XCTAssertEqual(p.terminationStatus, 0) }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("timestamp,") }.count, 1)
        XCTAssertEqual(try ResultsFile.read(path).count, 3)
    }

    /// Item 5: a replace (what merge and baseline updates do) interrupted (SIGTERM, SIGINT) after writing its temporary
    /// and before its rename leaves the old output whole and no temporary behind. ReplaceProbe, a test entry point,
    /// holds the replace in that window through `ResultsFile.beforeRename`; bench itself has no such pause.
    func testAnInterruptedReplaceLeavesTheOldOutputAndNoTemporary() throws {
        let input = dir + "/in.csv", output = dir + "/merged.csv"
        let file = try ResultsFile(path: input)
        for d in [4, 8] { try file.append(row(d)) }
        try ResultsFile.replace(output, with: CSV.header(RunRecord.self) + "\n" + (try CSV.line(row(2))) + "\n")
        let old = bytes(output)
        for sig in [SIGTERM, SIGINT] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: (benchExecutablePath as NSString).deletingLastPathComponent + "/ReplaceProbe")
            p.arguments = [output, input, "60"]
            try p.run()
            let deadline = Date().addingTimeInterval(120)
            func temporaries() -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }
            }
            while temporaries().isEmpty && p.isRunning && Date() < deadline { usleep(20_000) }
            XCTAssertFalse(temporaries().isEmpty, "the replace wrote its temporary")
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal, "it dies of the signal")
            XCTAssertEqual(temporaries(), [], "signal \(sig): the temporary is removed")
            XCTAssertEqual(bytes(output), old, "signal \(sig): the old output is whole")
        }
        let done = try BenchProcess.run(["merge", "-o", output, output, input])
        XCTAssertEqual(done.status, 0, done.err)
        XCTAssertEqual(try ResultsFile.read(output).map(\.depth), [2, 4, 8])
    }

    /// Item 6: an output that exists but cannot be written is refused before anything is measured. The test process
    /// runs as root, whom permissions do not stop, so bench runs as the unprivileged user nobody there.
    func testAnUnwritableOutputIsRefusedBeforeMeasuring() throws {
        let path = dir + "/readonly.csv"
        try ResultsFile(path: path).append(row(4))
        chmod(path, 0o444)
        chmod(dir, 0o755)
        let asUser: UInt32? = getuid() == 0 ? 65534 : nil
        if asUser != nil && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            throw XCTSkip("running as root without setpriv: permissions cannot refuse the write")
        }
        // nobody must be able to reach the binary (a build under a private home folder is not reachable).
        var folder = URL(fileURLWithPath: benchExecutablePath).deletingLastPathComponent()
        while asUser != nil && folder.path != "/" {
            var st = stat()
            if stat(folder.path, &st) == 0 && st.st_mode & 0o001 == 0 {
                throw XCTSkip("user nobody cannot reach \(folder.path), so bench cannot run as nobody here")
            }
            folder.deleteLastPathComponent()
        }
        for command in [Self.tiny, ["sweep", "--models", "vit_tiny_test", "--batches", "2", "--steps", "1", "--quiet"]] {
            let r = try BenchProcess.run(command + ["--output", path], asUser: asUser)
            r.assertRefused(["cannot write to '\(path)'", "Permission denied"], "\(command.first!) into a read-only file")
            XCTAssertFalse(r.err.contains("[1/"), "nothing was measured")
        }
    }

    /// Item 7: a file written under an older header is upgraded in place (cells moved, not rewritten; new columns
    /// empty), so rows go to the named file and --resume finds them: the rerun measures nothing again.
    func testAnOlderHeaderIsUpgradedAndResumeFindsItsRows() throws {
        let path = dir + "/old.csv"
        XCTAssertEqual(try BenchProcess.run(Self.tiny + ["--output", path]).status, 0)
        let dropped = try dropNewestColumn(path)
        let measured = try ResultsFile.read(path)

        // Batch 2 is in the file already; batch 4 is new and goes to the same file, now upgraded.
        let again = try BenchProcess.run(Self.tiny + ["--batch", "2,4", "--output", path, "--resume"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("had an older header") && again.err.contains(dropped), "said even with --quiet: \(again.err)")
        let now = try ResultsFile.read(path)
        XCTAssertEqual(Array(now.prefix(measured.count)), measured, "the old rows unchanged")
        XCTAssertEqual(now.map(\.batch), [2, 4], "batch 2 not measured twice, batch 4 appended")
        XCTAssertEqual(try BenchProcess.run(Self.tiny + ["--batch", "2,4", "--output", path, "--resume"]).status, 0)
        XCTAssertEqual(try ResultsFile.read(path).count, 2, "a third run finds both")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").first.map(String.init), CSV.header(RunRecord.self))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/old-2.csv"), "no redirect")
    }

    /// Rewrites `path` without its newest column, as a file written before that column existed; returns its name.
    func dropNewestColumn(_ path: String) throws -> String {
        let dropped = RunRecord.columns.last { $0 != "error" }!
        let rows = CSVRow.rows(of: try String(contentsOfFile: path, encoding: .utf8))
        let keep = rows[0].fields.indices.filter { rows[0].fields[$0] != dropped }
        let older = rows.map { r in keep.map { CSV.quote(r.fields[$0]) }.joined(separator: ",") }.joined(separator: "\n") + "\n"
        try older.write(toFile: path, atomically: true, encoding: .utf8)
        return dropped
    }

    /// Deliberately not upgraded: a resumed run or budget with nothing left to measure writes nothing, so an older
    /// file (a committed result) keeps its bytes.
    func testAResumeWithNothingToDoLeavesAnOlderFileAsItIs() throws {
        let runs = dir + "/runs.csv", budget = dir + "/budget.csv"
        let budgetArgs = ["budget", "--models", "vit_tiny_test", "--depths", "2", "--memory", "64MiB", "--variants", "standard",
                          "--steps", "1", "--warmup", "0", "--threads", "1", "--quiet", "--output", budget]
        XCTAssertEqual(try BenchProcess.run(Self.tiny + ["--output", runs]).status, 0)
        XCTAssertEqual(try BenchProcess.run(budgetArgs).status, 0)
        for path in [runs, budget] { _ = try dropNewestColumn(path) }
        let before = [runs, budget].map(bytes)
        XCTAssertEqual(try BenchProcess.run(Self.tiny + ["--output", runs, "--resume"]).status, 0)
        XCTAssertEqual(try BenchProcess.run(budgetArgs + ["--resume"]).status, 0)
        XCTAssertEqual([runs, budget].map(bytes), before)
    }

    /// An upgrade moves every cell as it was: commas, quotes and line breaks inside quoted cells included.
    func testAnUpgradeMovesCellsAsTheyWere() throws {
        let path = dir + "/quoted.csv"
        var r = row(4)
        r.cpu = "Vendor CPU, 2.0 \"GHz\""
        try ResultsFile(path: path).append(r)
        _ = try dropNewestColumn(path)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: ",vit_tiny_test,", with: ",\"vit\ntiny\",")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let file = try ResultsFile(path: path)
        XCTAssertNotNil(file.upgradedColumns)
        let back = try XCTUnwrap(ResultsFile.read(path).first)
        XCTAssertEqual(back.model, "vit\ntiny")
        XCTAssertEqual(back.cpu, r.cpu)
        XCTAssertEqual(back.depth, 4)
    }

    /// A header with a column this bench does not know is not an older one: refused, left alone (its column would be
    /// lost in an upgrade).
    func testAHeaderWithUnknownColumnsIsRefused() throws {
        let path = dir + "/newer.csv"
        try (CSV.header(RunRecord.self) + ",from_the_future\n").write(toFile: path, atomically: true, encoding: .utf8)
        let before = bytes(path)
        XCTAssertThrowsError(try ResultsFile(path: path)) { e in
            XCTAssertTrue("\(e)".contains("it adds from_the_future"), "\(e)")
        }
        XCTAssertEqual(bytes(path), before)
    }
    /// Merge and baseline update replace a file only when nothing in it is lost: an existing output must be one
    /// bench reads fully (a column of the user's, `note`, once vanished with every row: "wrote 3 rows from 1 file",
    /// exit 0), and merge's must be one of its inputs or hold no rows. Refused outputs keep their bytes; merging
    /// into a new file, a header-only file, or a file listed among the inputs works as before.
    func testMergeAndBaselineUpdateNeverDropWhatAnExistingOutputHolds() throws {
        let input = dir + "/in.csv", noted = dir + "/noted.csv", other = dir + "/other.csv", cut = dir + "/cut.csv"
        let file = try ResultsFile(path: input)
        for d in [4, 8, 16] { try file.append(row(d)) }
        let text = try String(contentsOfFile: input, encoding: .utf8)
        let withNote = text.split(separator: "\n").enumerated()
            .map { $0.offset == 0 ? $0.element + ",note" : $0.element + ",kept by hand" }.joined(separator: "\n") + "\n"
        try withNote.write(toFile: noted, atomically: true, encoding: .utf8)
        try ResultsFile.replace(other, with: CSV.header(RunRecord.self) + "\n" + (try CSV.line(row(2))) + "\n")
        try String(text.dropLast(30)).write(toFile: cut, atomically: true, encoding: .utf8)
        let before = [noted, other, cut].map(bytes)

        try BenchProcess.run(["merge", "-o", noted, input]).assertRefused(["'\(noted)'", "it adds note", "left alone"], "merge over a noted file")
        try BenchProcess.run(["baseline", "update", "--baseline", noted])
            .assertRefused(["'\(noted)'", "it adds note", "choose another --baseline"], "baseline update over a noted file")
        try BenchProcess.run(["merge", "-o", cut, input]).assertRefused(["'\(cut)' line 4", "cut short"], "merge over a cut file")
        try BenchProcess.run(["baseline", "update", "--baseline", cut]).assertRefused(["'\(cut)' line 4"], "baseline update over a cut file")
        try BenchProcess.run(["merge", "-o", other, input])
            .assertRefused(["'\(other)' already holds 1 row", "list it among the files to merge"], "merge over rows not merged")
        // The peak attribution baseline update writes beside the baseline is checked the same way, before anything runs.
        let peakFolder = dir + "/ci", peak = peakFolder + "/ci-peak.csv"
        try FileManager.default.createDirectory(atPath: peakFolder, withIntermediateDirectories: true)
        try withNote.write(toFile: peak, atomically: true, encoding: .utf8)
        let update = try BenchProcess.run(["baseline", "update", "--baseline", peakFolder + "/ci.csv"])
        update.assertRefused(["'\(peak)' is not a RevBench results CSV", "choose another --baseline"], "baseline update beside a foreign peak file")
        XCTAssertFalse(update.err.contains("[1/"), "nothing was measured")
        XCTAssertEqual(bytes(peak), before[0])
        XCTAssertFalse(FileManager.default.fileExists(atPath: peakFolder + "/ci.csv"))
        XCTAssertEqual([noted, other, cut].map(bytes), before, "refused files keep their bytes")

        // What stays legitimate: the output among the inputs (however named), a new file, a header-only file.
        let together = try BenchProcess.run(["merge", "-o", other, input, dir + "/./other.csv"])
        XCTAssertEqual(together.status, 0, together.err)
        XCTAssertEqual(try ResultsFile.read(other).map(\.depth), [2, 4, 8, 16])
        let fresh = dir + "/fresh.csv", headerOnly = dir + "/header.csv"
        try (CSV.header(RunRecord.self) + "\n").write(toFile: headerOnly, atomically: true, encoding: .utf8)
        for output in [fresh, headerOnly] {
            let r = try BenchProcess.run(["merge", "-o", output, input])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertEqual(try ResultsFile.read(output).map(\.depth), [4, 8, 16])
        }
    }

    /// An output that is not a regular file is refused before anything runs: a named pipe once swallowed every row
    /// with exit 0, and a link to a device would take them too. Folders are refused as before.
    func testAnOutputThatIsNotARegularFileIsRefused() throws {
        let fifo = dir + "/pipe.csv", device = dir + "/null.csv"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/null")
        let commands: [(String, (String) -> [String])] = [
            ("run", { Self.tiny + ["--output", $0] }),
            ("stability", { ["stability", "--model", "vit_tiny_test", "--depths", "2", "--steps", "1", "--output", $0] }),
            ("merge", { ["merge", "-o", $0, self.dir + "/in.csv"] }),
            ("baseline update", { ["baseline", "update", "--baseline", $0] }),
        ]
        try ResultsFile(path: dir + "/in.csv").append(row(4))
        for (name, args) in commands {
            let r = try BenchProcess.run(args(fifo))
            r.assertRefused(["'\(fifo)' is a named pipe (FIFO), not a regular file"], "\(name) into a FIFO")
            XCTAssertFalse(r.err.contains("[1/"), "\(name): nothing was measured")
            try BenchProcess.run(args(device)).assertRefused(["'\(device)' is a character device"], "\(name) into /dev/null")
        }
        var st = stat()
        XCTAssertEqual(lstat(device, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK, "the link is still a link")
    }
}
