// `bench merge`: one results CSV from several (shards of a sweep run on several machines).
import ArgumentParser
import BenchKit
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge result CSVs into one: exact duplicate rows dropped, rows in configuration order.",
        discussion: "Files under one header merge under it; files under different headers (an older bench's columns, "
            + "or this bench's in another order) merge under this bench's header, each cell in its column and missing "
            + "columns empty; a column this bench does not know is refused. "
            + "The output is replaced in one rename of a finished temporary file beside it. Refused, and left "
            + "alone: a folder or other non-regular file, a name not ending in .csv, an existing file bench cannot "
            + "fully read (not a results CSV, a row that does not fit, a column this bench does not know), and an "
            + "existing file with rows that is not among the files to merge (list it too to keep its rows).")

    @Option(name: [.short, .customLong("output")],
            help: "The merged CSV to write (replaced if it exists and is one of the files, or holds no rows).")
    var output: String
    @Argument(help: "CSV files to merge.")
    var files: [String]

    func run() throws {
        try reportingErrors {
            // The target first: a folder, a foreign file or rows that would be lost are refused before any input is read.
            try Merge.checkOutput(output, inputs: files)
            for f in files where !FileManager.default.fileExists(atPath: f) { throw BenchError("no such CSV file: '\(f)'") }
            let lines = try Merge.lines(of: files)
            try Merge.write(lines, to: output, from: files)
            print("wrote \(lines.count - 1) row\(lines.count == 2 ? "" : "s") from \(files.count) file\(files.count == 1 ? "" : "s") to \(output)")
        }
    }
}
