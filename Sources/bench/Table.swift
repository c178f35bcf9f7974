// `bench table`: turns result CSVs into Markdown tables (spliced into the results page, docs/results.md).
import ArgumentParser
import BenchKit
import Foundation

/// Reads every row of the given CSV files (default: the committed results).
func readRows(_ files: [String]) throws -> [RunRecord] {
    let paths = files.isEmpty ? defaultResultFiles() : files
    if paths.isEmpty { throw BenchError("no CSV files given and none found under results/") }
    return try paths.flatMap { path -> [RunRecord] in
        guard FileManager.default.fileExists(atPath: path) else { throw BenchError("no such CSV file: '\(path)'") }
        return try ResultsFile.read(path)
    }
}

/// results/*.csv and results/budget/*.csv, sorted (the baseline is CI's, not a result).
func defaultResultFiles() -> [String] { csvFiles(in: ["results", "results/budget"]) }

/// The `.csv` files of `folders`, sorted within each.
func csvFiles(in folders: [String]) -> [String] {
    folders.flatMap { dir -> [String] in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".csv") }.sorted().map { "\(dir)/\($0)" }
    }
}

/// Whether the CSV at `path` holds `bench stability` rows (its header has the stability columns).
func isStabilityFile(_ path: String) -> Bool {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
    let header = text.prefix { $0 != "\n" }.split(separator: ",").map(String.init)
    return header.contains(StabilityRecord.CodingKeys.gradRelativeError.rawValue)
}

struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Markdown tables from result CSVs: memory and speed per variant beside the paper's Table 1, and budget experiments.",
        discussion: """
            With --markdown FILE the tables replace the text between the '<!-- BEGIN bench table -->' and \
            '<!-- END bench table -->' markers of FILE; the committed results live in \(MarkdownReport.resultsPage) \
            (`swift run bench table --markdown \(MarkdownReport.resultsPage)`).
            """)

    @Argument(help: "CSV files (default: results/*.csv and results/budget/*.csv).")
    var files: [String] = []
    @Option(name: [.customLong("markdown"), .customLong("readme")],
            help: "Write the tables between the '<!-- BEGIN bench table -->' and '<!-- END bench table -->' markers of this Markdown file instead of printing (--readme is the older name).")
    var markdown: String?

    func run() throws {
        try reportingErrors {
            let rows = try readRows(files)
            // A file with a header only (a run that has not finished a row yet) is no table; say so instead of
            // printing an empty line, and leave a --markdown page as it is.
            if rows.isEmpty { throw BenchError("no rows to tabulate in " + (files.isEmpty ? "results/" : files.map { "'\($0)'" }.joined(separator: ", "))) }
            let table = MarkdownReport.render(rows)
            guard let markdown else { print(table); return }
            // Only a regular file is read and rewritten (a named pipe would block the read, a device take the write).
            let target = URL(fileURLWithPath: markdown).resolvingSymlinksInPath().path
            if ResultsFile.notRegularFile(atPath: target) != nil {
                throw BenchError("--markdown '\(markdown)' is not a regular file; give the Markdown page the tables go into")
            }
            let doc: String
            do { doc = try String(contentsOfFile: markdown, encoding: .utf8) }
            catch { throw BenchError("cannot read '\(markdown)': \((error as NSError).localizedFailureReason ?? error.localizedDescription)") }
            let command = "swift run bench table" + (files.isEmpty ? "" : " " + files.joined(separator: " ")) + " --markdown \(markdown)"
            let page = try MarkdownReport.splice(table, into: doc, command: command, name: "'\(markdown)'")
            // Written where a symbolic link points, so the link stays a link (an atomic write would replace it).
            try page.write(toFile: target, atomically: true, encoding: .utf8)
            print("updated \(markdown)")
        }
    }
}
