// `bench merge`: one results CSV from several (shards of a sweep run on several machines).
import ArgumentParser
import BenchKit
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge result CSVs with the same header into one: exact duplicate rows dropped, rows in configuration order.",
        discussion: "The output is replaced in one rename of a finished temporary file beside it; a folder, a name "
            + "not ending in .csv, or an existing file that is not a results CSV is refused.")

    @Option(name: [.short, .customLong("output")], help: "The merged CSV to write (replaced if it exists).")
    var output: String
    @Argument(help: "CSV files to merge.")
    var files: [String]

    func run() throws {
        try reportingErrors {
            // The target first: a folder or a foreign file is refused before any input is read.
            try ResultsFile.checkReplaceable(output)
            for f in files where !FileManager.default.fileExists(atPath: f) { throw BenchError("no such CSV file: '\(f)'") }
            let lines = try Merge.lines(of: files)
            try Merge.write(lines, to: output)
            print("wrote \(lines.count - 1) row\(lines.count == 2 ? "" : "s") from \(files.count) file\(files.count == 1 ? "" : "s") to \(output)")
        }
    }
}
