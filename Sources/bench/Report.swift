// `bench table` and `bench plot`: turn result CSVs into Markdown tables (spliced into the results page,
// docs/results.md) and SVG charts (results/plots/, the stability CSVs' charts included).
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
            let table = MarkdownReport.render(try readRows(files))
            guard let markdown else { print(table); return }
            guard let doc = try? String(contentsOfFile: markdown, encoding: .utf8) else { throw BenchError("cannot read '\(markdown)'") }
            let command = "swift run bench table" + (files.isEmpty ? "" : " " + files.joined(separator: " ")) + " --markdown \(markdown)"
            try MarkdownReport.splice(table, into: doc, command: command).write(toFile: markdown, atomically: true, encoding: .utf8)
            print("updated \(markdown)")
        }
    }
}

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "SVG charts from result CSVs: memory per image and images/s vs depth, max batch and images/s under a budget vs depth, and bench stability's error charts.",
        discussion: """
            A configuration measured at one depth (MViT-B) is drawn as grouped bars, the variants side by side. \
            Stability CSVs (bench stability's rows, recognised by their header) give the reconstruction-error and \
            gradient-error charts, one pair per model and learning rate.
            """)

    @Argument(help: "CSV files (default: results/*.csv, results/budget/*.csv and results/stability/*.csv).")
    var files: [String] = []
    @Option(help: "Folder the SVG files are written to.")
    var out = "results/plots"

    func run() throws {
        try reportingErrors {
            let paths = files.isEmpty ? defaultResultFiles() + csvFiles(in: ["results/stability"]) : files
            if paths.isEmpty { throw BenchError("no CSV files given and none found under results/") }
            for path in paths where !FileManager.default.fileExists(atPath: path) { throw BenchError("no such CSV file: '\(path)'") }
            let stabilityPaths = paths.filter(isStabilityFile)
            let runPaths = paths.filter { !stabilityPaths.contains($0) }
            let stabilityRows = try stabilityPaths.flatMap {
                try ResultsFile.read(StabilityRecord.self, $0, required: StabilityRecord.requiredColumns)
            }
            let charts = (runPaths.isEmpty ? [] : Plots.charts(try readRows(runPaths)))
                + (stabilityRows.isEmpty ? [] : Stability.charts(stabilityRows))
            if charts.isEmpty { throw BenchError("the CSV rows hold no successful measurement to plot") }
            do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
            catch { throw BenchError("cannot create '\(out)': \(error.localizedDescription)") }
            for (name, svg) in charts {
                let path = (out as NSString).appendingPathComponent(name)
                do { try svg.write(toFile: path, atomically: true, encoding: .utf8) }
                catch { throw BenchError("cannot write '\(path)': \(error.localizedDescription)") }
                print("wrote \(path)")
            }
        }
    }
}
