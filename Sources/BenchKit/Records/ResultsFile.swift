// Appending rows to a results CSV so that a row is complete or absent: each row is one write(2) of a whole line
// on an O_APPEND descriptor, followed by fsync. Ctrl-C or a crash between rows loses nothing already written.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ResultsFileError: Error, CustomStringConvertible {
    public let description: String
}

/// A CSV results file with one record type's header (RunRecord's unless told otherwise).
public final class ResultsFile {
    public let path: String
    public let header: String
    /// Set when the requested file had another header and rows go to a new file instead.
    public private(set) var redirectedFrom: String?

    /// Opens `path` for appending, creating it (and its folder) with a header if needed. A file whose header is not
    /// the current schema is left untouched: rows go to the first free `name-N.csv` beside it.
    public init(path: String, header: String = CSV.header(RunRecord.self)) throws {
        self.header = header
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            catch { throw ResultsFileError(description: "cannot create folder '\(dir)' for output: \(error.localizedDescription)") }
        }
        var chosen = path
        if let existing = ResultsFile.firstLine(path), existing != header {
            let base = (path as NSString).deletingPathExtension, ext = (path as NSString).pathExtension
            var n = 2
            while true {
                let candidate = "\(base)-\(n).\(ext.isEmpty ? "csv" : ext)"
                let h = ResultsFile.firstLine(candidate)
                if h == nil || h == header { chosen = candidate; break }
                n += 1
            }
            redirectedFrom = path
        }
        self.path = chosen
        if ResultsFile.firstLine(chosen) == nil {
            try append(line: header)
        }
    }

    /// Appends one record (a complete line, in one write).
    public func append<T: CSVRecord>(_ record: T) throws {
        try append(line: try CSV.line(record))
    }

    private func append(line: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw ResultsFileError(description: "cannot write to '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ResultsFileError(description: "short write to '\(path)': \(String(cString: strerror(errno)))")
        }
        fsync(fd)
    }

    static func firstLine(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        return text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }

    /// Reads every record of a results CSV (header first line). A file without the configuration columns is not a
    /// results file: the error names the missing columns. Columns added to the schema after the file was written
    /// decode as nil; blank lines are skipped; a row that does not fit its header is an error naming its line.
    public static func read(_ path: String) throws -> [RunRecord] {
        try read(RunRecord.self, path, required: RunRecord.requiredColumns.map(\.rawValue))
    }

    /// Reads every record of type `T` from a CSV whose header has at least the `required` columns.
    public static func read<T: CSVRecord>(_ type: T.Type, _ path: String, required: [String]) throws -> [T] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsFileError(description: "cannot read '\(path)'")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            throw ResultsFileError(description: "'\(path)' is empty, not a RevBench results CSV")
        }
        let header = CSV.split(headerLine)
        let missing = required.filter { !header.contains($0) }
        if !missing.isEmpty {
            throw ResultsFileError(description: "'\(path)' is not a RevBench results CSV: it lacks the column\(missing.count == 1 ? "" : "s") "
                                   + missing.joined(separator: ", "))
        }
        var records: [T] = []
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = CSV.split(line)
            guard fields.count == header.count else {
                throw ResultsFileError(description: "'\(path)' line \(i + 1): \(fields.count) fields under a header of \(header.count)")
            }
            do { records.append(try CSV.decode(T.self, from: Dictionary(zip(header, fields), uniquingKeysWith: { a, _ in a }))) }
            catch { throw ResultsFileError(description: "'\(path)' line \(i + 1): \(Self.reason(error))") }
        }
        return records
    }

    /// A decoding error in one line of words.
    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "column '\(key.stringValue)' is empty"
        case DecodingError.typeMismatch(_, let c), DecodingError.dataCorrupted(let c):
            return c.debugDescription.isEmpty ? "column '\(c.codingPath.last?.stringValue ?? "?")' cannot be read" : c.debugDescription
        default: return "\(error)"
        }
    }
}
