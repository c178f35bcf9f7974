// bench profile's work: each variant profiled in a fresh child, analysed, and written to one folder as
// timeline.csv, peak.csv, timeline.svg, peak.svg and summary.txt (the text bench profile prints).
import Foundation
import Engine
import Models

/// Profiles the variants of one configuration and writes the results.
public enum ProfileExperiment {
    /// The files bench profile writes into its output folder.
    public static let timelineFile = "timeline.csv", peakFile = "peak.csv", endOfForwardFile = "end_of_forward.csv"
    public static let timelineChartFile = "timeline.svg", peakChartFile = "peak.svg", summaryFile = "summary.txt"

    /// Profiles each request in a child (in order), printing progress through `progress`.
    public static func profile(_ requests: [RunRequest], overheadPairs: Int = 0, quiet: Bool,
                               progress: (String) -> Void) throws -> [ProfileAnalysis] {
        var analyses: [ProfileAnalysis] = []
        for (i, r) in requests.enumerated() {
            progress("[\(i + 1)/\(requests.count)] profiling \(r.model) \(r.variant.rawValue), depth \(r.configuration.depth), "
                     + "batch \(r.batch) in a fresh child (\(r.warmup) warm-up step\(r.warmup == 1 ? "" : "s"))")
            let analysis = ProfileAnalysis(try ProfileRunner.run(r, overheadPairs: overheadPairs, quiet: quiet))
            progress("    " + ProfileReport.peakLine(analysis))
            analyses.append(analysis)
        }
        return analyses
    }

    /// The text bench profile prints and writes as summary.txt.
    public static func summary(_ analyses: [ProfileAnalysis]) -> String {
        var lines = ["Profile of one training step: \(ProfileReport.title(analyses)) (ledger bytes; all categories)"]
        lines += analyses.map(ProfileReport.peakLine)
        lines += analyses.compactMap(ProfileReport.overheadLine)
        return lines.joined(separator: "\n") + "\n\n" + ProfileReport.groupTable(analyses) + "\n\n"
            + ProfileReport.holdersTable(analyses) + "\n"
    }

    /// Creates `folder` if missing and checks that it is a writable folder, before anything is profiled.
    public static func prepare(folder: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw BenchError("--output '\(folder)' is a file; bench profile writes a folder of files")
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        catch { throw BenchError("cannot create --output folder '\(folder)': \(error.localizedDescription)") }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw BenchError("--output folder '\(folder)' is not writable")
        }
    }

    /// Writes every file into `folder` (created if missing); returns their paths.
    @discardableResult
    public static func write(_ analyses: [ProfileAnalysis], to folder: String) throws -> [String] {
        try prepare(folder: folder)
        let files: [(String, String)] = [
            (timelineFile, try csv(analyses.flatMap(\.timeline))),
            (peakFile, try csv(analyses.flatMap(\.peak))),
            (endOfForwardFile, try csv(analyses.flatMap(\.endOfForward))),
            (timelineChartFile, ProfileReport.timelineChart(analyses).render()),
            (peakChartFile, ProfileReport.peakBars(analyses).render()),
            (summaryFile, summary(analyses)),
        ]
        var paths: [String] = []
        for (name, text) in files {
            let path = (folder as NSString).appendingPathComponent(name)
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) }
            catch { throw BenchError("cannot write '\(path)': \(error.localizedDescription)") }
            paths.append(path)
        }
        return paths
    }

    /// Records as CSV text with their header.
    public static func csv<T: CSVRecord>(_ rows: [T]) throws -> String {
        try ([CSV.header(T.self)] + rows.map { try CSV.line($0) }).joined(separator: "\n") + "\n"
    }

    /// Peak rows read back from a peak.csv (bench check's stored attribution).
    public static func readPeak(_ path: String) throws -> [PeakRow] {
        try ResultsFile.read(PeakRow.self, path, required: PeakRow.columns)
    }
}
