// The journal of finished rounds: each round a child finishes is kept at once, as a whole RunRecord row (the same
// locked, fsynced append as results rows), in a hidden file beside the output, until its configuration's merged row
// is appended there. So Ctrl-C, a scheduler's SIGTERM or a crash loses at most the round in progress, and --resume
// measures only the rounds that are missing. The journal's name does not end in .csv, so nothing that reads results
// (bench table, merge, check, a shell glob) takes a single round for a complete row.
import Foundation

/// The finished rounds, not yet merged into a row, of one results file's configurations.
final class RoundJournal {
    /// The journal's path: `.NAME.rounds` in the output's folder.
    let path: String
    /// The output it belongs to.
    let outputPath: String
    /// The build whose rounds count (a round of another build is another program's measurement).
    let build: String
    /// Opened on the first round kept, so a session that keeps none leaves no file.
    private var file: ResultsFile?

    /// False for a command that cannot resume (bench check, baseline update): nothing is kept, and its interruption
    /// note advises no --resume.
    let enabled: Bool

    init(output: String, build: String, enabled: Bool = true) {
        outputPath = output
        path = Self.path(for: output)
        self.build = build
        self.enabled = enabled
    }

    /// Whether the journal file is there (an earlier session kept rounds).
    var exists: Bool { enabled && FileManager.default.fileExists(atPath: path) }

    /// `.NAME.rounds` beside `output`.
    static func path(for output: String) -> String {
        let folder = (output as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "" : folder + "/") + "." + (output as NSString).lastPathComponent + ".rounds"
    }

    /// The kept rounds of this build that `matching` selects, in the order they finished.
    func rounds(matching: (RunRecord) -> Bool) throws -> [RunRecord] {
        guard exists else { return [] }
        return try ResultsFile.read(path).filter { !$0.failed && $0.build == build && matching($0) }
    }

    /// Keeps one finished round (stamped with its environment, so its build is known). The journal of a temporary
    /// output (bench check's scratch CSV) is itself temporary: a signal removes it with the output.
    func keep(_ round: RunRecord) throws {
        guard enabled else { return }
        if TemporaryFiles.isRegistered(outputPath), !TemporaryFiles.isRegistered(path) { TemporaryFiles.register(path) }
        if file == nil { file = try ResultsFile(path: path, csvName: false) }
        // After a discard removed the file, this append creates it again, header first.
        try file!.append(round)
    }

    /// Removes the kept rounds `matching` selects (their row is written, or they are to be measured anew); the
    /// journal goes when it keeps nothing.
    func discard(matching: (RunRecord) -> Bool) throws {
        guard exists else { return }
        try (file ?? ResultsFile(path: path, csvName: false)).removeRows(RunRecord.self) { $0.build == build && matching($0) }
        if !FileManager.default.fileExists(atPath: path) { TemporaryFiles.unregister(path) }
    }

    /// The line an interrupted session prints: what this command kept (`rows` in the output, `rounds` here) and how
    /// to go on. Nil for a temporary output (bench check's): the signal removes it and this journal, nothing is kept.
    func interruptionNote(rows: Int, rounds: Int) -> String? {
        if TemporaryFiles.isRegistered(outputPath) { return nil }
        if !enabled { return rows > 0 ? "bench: interrupted; kept \(rows) row\(rows == 1 ? "" : "s") in \(outputPath)" : nil }
        func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
        let kept = [rows > 0 ? "\(count(rows, "row")) in \(outputPath)" : nil,
                    rounds > 0 ? "\(count(rounds, "finished round")) in \(path)" : nil].compactMap { $0 }
        guard !kept.isEmpty else { return "bench: interrupted before a round finished; this command kept nothing" }
        return "bench: interrupted; kept \(kept.joined(separator: " and ")): "
            + "run the same command with --resume to measure only what is missing"
    }
}
