// bench profile's work: each variant profiled in a fresh child, analysed, and written to one folder as
// timeline.csv, peak.csv, timeline.svg, peak.svg and summary.txt (the text bench profile prints).
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        var lines = ["\(summaryTitle): \(ProfileReport.title(analyses)) (ledger bytes; all categories)"]
        lines += analyses.map(ProfileReport.peakLine)
        lines += analyses.compactMap(ProfileReport.overheadLine)
        return lines.joined(separator: "\n") + "\n\n" + ProfileReport.groupTable(analyses) + "\n\n"
            + ProfileReport.holdersTable(analyses) + "\n"
    }

    /// Every file bench profile writes, in the order it writes them.
    public static let files = [timelineFile, peakFile, endOfForwardFile, timelineChartFile, peakChartFile, summaryFile]

    /// Where bench profile writes when --output is not given: a folder of its own under results/profile, named for
    /// the configuration (as the committed profiles are), so a bare `bench profile` never writes into
    /// results/profile itself, beside the committed profiles' folders.
    public static let defaultParent = "results/profile"

    /// The default folder's name for `configuration` at `batch`: the model, depth and batch, then each setting that
    /// differs from the preset `preset` (width, heads, image size, patch size, classes, drop path), `fused` for fused
    /// attention and `recompute` for recomputed transitions; e.g. `vit_tiny_test_d4_b2`, `mvit_base_16_d16_b2_recompute`.
    public static func defaultFolderName(_ configuration: ModelConfiguration, batch: Int, preset: ModelConfiguration) -> String {
        let c = configuration
        var parts = [c.model, "d\(c.depth)", "b\(batch)"]
        if c.width != preset.width { parts.append("w\(c.width)") }
        if c.heads != preset.heads { parts.append("h\(c.heads)") }
        if c.imageSize != preset.imageSize { parts.append("i\(c.imageSize)") }
        if c.patchSize != preset.patchSize { parts.append("p\(c.patchSize)") }
        if c.classes != preset.classes { parts.append("c\(c.classes)") }
        if c.dropPath != preset.dropPath { parts.append("dp\(c.dropPath)") }
        if c.attention != preset.attention { parts.append(c.attention.rawValue) }
        if c.family == .mvit, c.transitions != preset.transitions { parts.append(c.transitions.rawValue) }
        return parts.joined(separator: "_")
    }

    /// Checks, before anything is profiled, that `folder` can receive a profile, and says what is there: nil for a
    /// folder that is missing or empty, else a note that the previous profile in it will be replaced. Refuses a
    /// file, a path through a file, a folder (or the nearest existing one above a missing folder) that is not
    /// writable, and a folder that holds anything but a previous profile's files (results/profile itself, with the
    /// committed profiles' folders, or results/ with its CSVs): a profile's six files are written into a folder of
    /// their own and replace only a profile's. Creates nothing.
    @discardableResult
    public static func prepare(folder: String) throws -> String? {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard !folder.isEmpty else { throw BenchError("--output is empty; give the folder the profile's files go to") }
        // A name the file system cannot hold would fail only after every variant was profiled.
        if let long = folder.split(separator: "/").first(where: { $0.utf8.count > Int(NAME_MAX) }) {
            throw BenchError("--output '\(folder)': the name '\(long.prefix(40))...' is \(long.utf8.count) bytes; "
                             + "a file name is at most \(NAME_MAX)")
        }
        if folder.utf8.count > Int(PATH_MAX) - 64 {
            throw BenchError("--output is \(folder.utf8.count) bytes long; a path is at most \(Int(PATH_MAX) - 64) here "
                             + "(\(PATH_MAX) less room for the file names)")
        }
        if fm.fileExists(atPath: folder, isDirectory: &isFolder) {
            if !isFolder.boolValue { throw BenchError("--output '\(folder)' is a file; bench profile writes a folder of files") }
            guard access(folder, W_OK | X_OK) == 0 else { throw BenchError("--output folder '\(folder)' is not writable") }
            let entries: [String]
            do { entries = try fm.contentsOfDirectory(atPath: folder).sorted() }
            catch { throw BenchError("cannot read --output folder '\(folder)': \(error.localizedDescription)") }
            // A temporary an interrupted write left behind is neither the profile's nor the user's.
            let visible = entries.filter { !($0.hasPrefix(".") && $0.contains(".tmp-")) }
            let foreign = visible.filter { !files.contains($0) }
            if !foreign.isEmpty {
                let shown = foreign.prefix(3).map { name -> String in
                    var d: ObjCBool = false
                    let entryIsFolder = fm.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &d)
                        && d.boolValue
                    return "'\(name)\(entryIsFolder ? "/" : "")'"
                }.joined(separator: ", ") + (foreign.count > 3 ? " and \(foreign.count - 3) more" : "")
                throw BenchError("--output folder '\(folder)' holds \(shown), not a profile's files; bench profile writes "
                                 + "\(files.joined(separator: ", ")) into a folder of their own: choose a new or empty folder")
            }
            for name in visible {
                let path = (folder as NSString).appendingPathComponent(name)
                if !isProfileFile(path, name: name) {
                    throw BenchError("--output folder '\(folder)' holds a '\(name)' that bench profile did not write; "
                                     + "it is left alone: choose a new or empty folder")
                }
            }
            return visible.isEmpty ? nil : "replacing the profile in '\(folder)' (\(visible.joined(separator: ", ")))"
        }
        // Missing: the nearest existing folder above it must be a writable folder.
        var above = folder
        repeat {
            let parent = (above as NSString).deletingLastPathComponent
            above = parent.isEmpty ? "." : parent
        } while !fm.fileExists(atPath: above, isDirectory: &isFolder) && above != "." && above != "/"
        if fm.fileExists(atPath: above, isDirectory: &isFolder), !isFolder.boolValue {
            throw BenchError("cannot create --output folder '\(folder)': '\(above)' is a file")
        }
        guard access(above, W_OK | X_OK) == 0 else {
            throw BenchError("cannot create --output folder '\(folder)': '\(above)' is not writable")
        }
        return nil
    }

    /// Whether `path` is a file bench profile writes: a CSV with its record's header, the summary, or an SVG.
    static func isProfileFile(_ path: String, name: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let start = String(decoding: (try? h.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        let firstLine = String(start.prefix { $0 != "\n" })
        switch name {
        case timelineFile: return firstLine == CSV.header(TimelineRow.self)
        case peakFile, endOfForwardFile: return firstLine == CSV.header(PeakRow.self)
        case summaryFile: return start.hasPrefix(summaryTitle)
        case timelineChartFile, peakChartFile: return start.hasPrefix("<svg") || start.hasPrefix("<?xml")
        default: return false
        }
    }

    /// The first words of summary.txt.
    static let summaryTitle = "Profile of one training step"

    /// Writes every file into `folder` (created if missing) as one set: each file's text is first written in full
    /// to a temporary beside it, then all are renamed into place with SIGINT, SIGTERM and SIGHUP held back, so an
    /// interrupted write leaves the previous profile (or nothing) and removes its temporaries, never a mix of old
    /// and new files or a partial one. Returns their paths.
    @discardableResult
    public static func write(_ analyses: [ProfileAnalysis], to folder: String) throws -> [String] {
        try prepare(folder: folder)
        let texts: [(String, String)] = [
            (timelineFile, try csv(analyses.flatMap(\.timeline))),
            (peakFile, try csv(analyses.flatMap(\.peak))),
            (endOfForwardFile, try csv(analyses.flatMap(\.endOfForward))),
            (timelineChartFile, ProfileReport.timelineChart(analyses).render()),
            (peakChartFile, ProfileReport.peakBars(analyses).render()),
            (summaryFile, summary(analyses)),
        ]
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        catch { throw BenchError("cannot create --output folder '\(folder)': \(error.localizedDescription)") }
        var temporaries: [(tmp: String, path: String)] = []
        defer { for t in temporaries { unlink(t.tmp); TemporaryFiles.unregister(t.tmp) } }
        for (name, text) in texts {
            let path = (folder as NSString).appendingPathComponent(name)
            var template = Array((path as NSString).deletingLastPathComponent.appending("/.\(name).tmp-XXXXXX").utf8CString)
            let fd = mkstemp(&template)
            guard fd >= 0 else { throw BenchError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
            let tmp = String(cString: template)
            TemporaryFiles.register(tmp)
            temporaries.append((tmp, path))
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw BenchError("cannot write '\(path)': \(reason)")
                }
                written += n
            }
            fchmod(fd, 0o644)
            close(fd)
        }
        // Held back process-wide (a signal mask would hold it back from this thread only, and the process has
        // others): a signal during the renames is noted, then raised again once they are done, under the handler
        // that was there before (TemporaryFiles', which dies of it).
        deferredSignal = 0
        let held = [SIGINT, SIGTERM, SIGHUP]
        let previous = held.map { signal($0, { sig in ProfileExperiment.deferredSignal = sig }) }
        defer {
            for (sig, handler) in zip(held, previous) { signal(sig, handler) }
            if deferredSignal != 0 { raise(deferredSignal) }
        }
        for t in temporaries {
            guard rename(t.tmp, t.path) == 0 else {
                throw BenchError("cannot write '\(t.path)': \(String(cString: strerror(errno)))")
            }
        }
        let paths = temporaries.map(\.path)
        for t in temporaries { TemporaryFiles.unregister(t.tmp) }
        temporaries = []
        return paths
    }

    /// A signal that arrived while `write` renamed its files into place (0: none).
    nonisolated(unsafe) static var deferredSignal: Int32 = 0

    /// Records as CSV text with their header.
    public static func csv<T: CSVRecord>(_ rows: [T]) throws -> String {
        try ([CSV.header(T.self)] + rows.map { try CSV.line($0) }).joined(separator: "\n") + "\n"
    }

    /// Peak rows read back from a peak.csv (bench check's stored attribution).
    public static func readPeak(_ path: String) throws -> [PeakRow] {
        try ResultsFile.read(PeakRow.self, path, required: PeakRow.columns)
    }
}
