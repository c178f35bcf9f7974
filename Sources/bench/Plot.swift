// `bench plot`: SVG charts from results CSVs.
import ArgumentParser
import BenchKit
import Foundation

/// `bench plot`: the SVG charts of every results CSV.
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
