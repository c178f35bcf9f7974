// Appending rows to a results CSV so that a row is complete or absent: each row is one write(2) of a whole line
// on an O_APPEND descriptor, followed by fsync. Ctrl-C or a crash between rows loses nothing already written.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ResultsFileError: Error, CustomStringConvertible {
    public let description: String
}

/// A CSV results file with the project's header.
public final class ResultsFile {
    public let path: String
    /// Set when the requested file had another header and rows go to a new file instead.
    public private(set) var redirectedFrom: String?

    /// Opens `path` for appending, creating it (and its folder) with a header if needed. A file whose header is not
    /// the current schema is left untouched: rows go to the first free `name-N.csv` beside it.
    public init(path: String) throws {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            catch { throw ResultsFileError(description: "cannot create folder '\(dir)' for output: \(error.localizedDescription)") }
        }
        var chosen = path
        if let header = ResultsFile.firstLine(path), header != CSVSchema.header {
            let base = (path as NSString).deletingPathExtension, ext = (path as NSString).pathExtension
            var n = 2
            while true {
                let candidate = "\(base)-\(n).\(ext.isEmpty ? "csv" : ext)"
                let h = ResultsFile.firstLine(candidate)
                if h == nil || h == CSVSchema.header { chosen = candidate; break }
                n += 1
            }
            redirectedFrom = path
        }
        self.path = chosen
        if ResultsFile.firstLine(chosen) == nil {
            try append(line: CSVSchema.header)
        }
    }

    /// Appends one row (a complete line, in one write).
    public func append(_ row: ResultRow) throws {
        try append(line: CSVSchema.line(row))
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

    /// Reads every row of a results CSV (header first line). Lines that do not match the header's width are skipped.
    public static func read(_ path: String) throws -> [ResultRow] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsFileError(description: "cannot read '\(path)'")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let headerLine = lines.first else { return [] }
        let header = CSVSchema.split(headerLine)
        return lines.dropFirst().compactMap { line in
            let f = CSVSchema.split(line)
            guard f.count == header.count else { return nil }
            return ResultRow(Dictionary(uniqueKeysWithValues: zip(header, f)))
        }
    }
}
