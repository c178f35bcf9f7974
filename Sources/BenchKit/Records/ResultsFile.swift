// The one writer of results CSVs (run, sweep, budget, stability append; merge and baseline update replace): a row
// is complete or absent whatever happens around it. It refuses a folder, a file that is not .csv, and a file with
// another header; it creates a file and its header under an exclusive lock, so concurrent writers produce one
// header; it appends each row under the lock in one write, on a fresh line, and cuts a short write back to the last
// complete row; it replaces a file by renaming a finished temporary over it. Opening checks that the file can be
// written, so a command finds out before it measures anything.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A CSV results file with one record type's header (RunRecord's unless told otherwise).
public final class ResultsFile {
    public let path: String
    public let header: String
    /// Columns a file must have to be this record type's (to tell an older header from a foreign file).
    let required: [String]
    /// The columns added when the file, written under an older header, was upgraded on opening (nil: it was not).
    public private(set) var upgradedColumns: [String]?

    /// Opens `path` for appending: creates it (and its folder) with the header if it is new or empty, checks that it
    /// can be written, and refuses a folder, a name not ending in .csv, and a file that is not this record type's.
    /// A file written under an older header (a subset of today's columns) is upgraded in place first: the same
    /// rows, each cell moved to its column and the new columns empty, replace it in one rename; so rows always go to
    /// the file that was named, and --resume finds them there. `csvName` false takes a name that does not end in
    /// .csv (the journal of finished rounds, which nothing that reads results should find).
    public init(path: String, header: String = CSV.header(RunRecord.self),
                required: [String] = RunRecord.requiredColumns.map(\.rawValue), csvName: Bool = true) throws {
        self.path = path
        self.header = header
        self.required = required
        if csvName { try Self.checkTarget(path) }
        try Self.createFolder(of: path)
        try withLockedFile { fd, size in
            if size == 0 {
                try Self.writeAll(fd, Array((header + "\n").utf8), path: path, restoring: 0)
                return
            }
            let first = Self.firstLine(fd)
            if first == header { return }
            let found = CSVRow.rows(of: first ?? "").first?.fields ?? []
            let wanted = CSVRow.rows(of: header).first?.fields ?? []
            guard first != nil, required.allSatisfy(found.contains), Set(found).isSubset(of: wanted) else {
                throw Self.headerMismatch(path, found: first, expected: header, required: required)
            }
            try Self.replaceFile(path, with: try Self.upgraded(Self.contents(fd, path: path), to: wanted, path: path))
            upgradedColumns = wanted.filter { !found.contains($0) }
        }
    }

    /// One line for the user when the file was upgraded on opening (printed even with --quiet: their file changed).
    public var upgradeNote: String? {
        upgradedColumns.map { "note: '\(path)' had an older header; it now has this bench's (new, empty in its old rows: "
            + "\($0.isEmpty ? "none, the columns reordered" : $0.joined(separator: ", "))), its rows unchanged" }
    }

    /// Appends one record: one complete line in one write, under the file's lock, after repairing a last line
    /// without its newline. A failed write leaves the file as it was and names the real cause.
    public func append<T: CSVRecord>(_ record: T) throws {
        let line = Array((try CSV.line(record) + "\n").utf8)
        try withLockedFile { fd, size in
            if size == 0 {
                // The file was emptied (or removed and recreated) since it was opened: the header goes first again.
                try Self.writeAll(fd, Array((header + "\n").utf8) + line, path: path, restoring: 0)
                return
            }
            var last: UInt8 = 0
            let endsInNewline = pread(fd, &last, 1, off_t(size - 1)) == 1 && last == UInt8(ascii: "\n")
            try Self.writeAll(fd, (endsInNewline ? [] : [UInt8(ascii: "\n")]) + line, path: path, restoring: size)
        }
    }

    /// Removes the rows `matching` selects, under the file's lock, by one rename of the rest (each row as it was
    /// written); a file left without rows is removed. A file that is not there is left so.
    public func removeRows<T: CSVRecord>(_ type: T.Type, matching: (T) -> Bool) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try withLockedFile { _, _ in
            let (header, rows) = try Self.parse(type, path, required: required)
            let kept = rows.filter { !matching($0.record) }
            if kept.count == rows.count && !kept.isEmpty { return }
            if kept.isEmpty {
                guard unlink(path) == 0 else {
                    throw ResultsFileError("cannot remove '\(path)': \(String(cString: strerror(errno)))")
                }
                return
            }
            try Self.replaceFile(path, with: ([header] + kept.map(\.row)).map { $0.text + "\n" }.joined())
        }
    }

    // MARK: targets

    /// Refuses what must never be written as results: a folder, a name that is not a .csv file.
    public static func checkTarget(_ path: String) throws {
        if path.isEmpty { throw ResultsFileError("the output path is empty; give a CSV file like results/runs.csv") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw ResultsFileError("'\(path)' is a folder; give a CSV file inside it, like '\((path as NSString).appendingPathComponent("runs.csv"))'")
        }
        if (path as NSString).pathExtension.lowercased() != "csv" {
            throw ResultsFileError("'\(path)' is not a .csv file name; results go to files ending in .csv")
        }
    }

    /// Refuses a target that `replace` must not overwrite: a folder, a non-.csv name, or an existing file that is not
    /// a results CSV with the `required` columns (an empty file may be replaced).
    public static func checkReplaceable(_ path: String, required: [String] = RunRecord.requiredColumns.map(\.rawValue)) throws {
        try checkTarget(path)
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsFileError("cannot read '\(path)', which would be replaced: \(String(cString: strerror(errno)))")
        }
        if data.isEmpty { return }
        let text = try Self.text(of: data, path: path)
        let header = CSVRow.rows(of: String(text.prefix { $0 != "\n" })).first?.fields ?? []
        let missing = required.filter { !header.contains($0) }
        if !missing.isEmpty {
            throw ResultsFileError("'\(path)' exists and is not a RevBench results CSV (it lacks the column"
                + "\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))); it is left alone: choose another file")
        }
    }

    /// Replaces `path` with `text` (a complete CSV, header first) as one rename of a finished temporary file in the
    /// same folder: a reader sees the old file or the new one, never a part; an interrupted replace (SIGINT, SIGTERM,
    /// SIGHUP) removes its temporary and leaves the old file as it was.
    public static func replace(_ path: String, with text: String,
                               required: [String] = RunRecord.requiredColumns.map(\.rawValue)) throws {
        try checkReplaceable(path, required: required)
        try createFolder(of: path)
        try replaceFile(path, with: text)
    }

    /// Called between a replace's write and its rename; nil in bench. Only a test entry point sets it (ReplaceProbe,
    /// which holds the replace in the window a signal can hit).
    nonisolated(unsafe) public static var beforeRename: (() -> Void)?

    /// The rename itself, for a checked target.
    static func replaceFile(_ path: String, with text: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw ResultsFileError("cannot write '\(path)': cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
        }
        let tmp = String(cString: template)
        TemporaryFiles.register(tmp)
        defer { TemporaryFiles.unregister(tmp) }
        do {
            try writeAll(fd, Array(text.utf8), path: path, restoring: 0)
            // The new file keeps the permissions of the one it replaces (mkstemp creates 0600).
            var st = stat()
            fchmod(fd, stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o644)
            beforeRename?()
            close(fd)
            guard rename(tmp, path) == 0 else {
                throw ResultsFileError("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }

    // MARK: reading

    /// Reads every record of a results CSV (header first line). A file without the configuration columns is not a
    /// results file: the error names the missing columns. Columns added to the schema after the file was written
    /// decode as nil; blank lines are skipped; a row that does not fit its header is an error naming its line.
    public static func read(_ path: String) throws -> [RunRecord] {
        try read(RunRecord.self, path, required: RunRecord.requiredColumns.map(\.rawValue))
    }

    /// Reads every record of type `T` from a CSV whose header has at least the `required` columns.
    public static func read<T: CSVRecord>(_ type: T.Type, _ path: String, required: [String]) throws -> [T] {
        try parse(type, path, required: required).rows.map(\.record)
    }

    /// The header and every record of a CSV with its raw row (what merge keeps and compares).
    static func parse<T: CSVRecord>(_ type: T.Type, _ path: String, required: [String])
        throws -> (header: CSVRow, rows: [(row: CSVRow, record: T)]) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw ResultsFileError("'\(path)' is a folder, not a CSV file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsFileError("cannot read '\(path)'")
        }
        let rows = CSVRow.rows(of: try text(of: data, path: path))
        guard let headerRow = rows.first, !headerRow.isBlank else {
            throw ResultsFileError("'\(path)' is empty, not a RevBench results CSV")
        }
        let header = headerRow.fields
        let missing = required.filter { !header.contains($0) }
        if !missing.isEmpty {
            throw ResultsFileError("'\(path)' is not a RevBench results CSV: it lacks the column\(missing.count == 1 ? "" : "s") "
                                   + missing.joined(separator: ", "))
        }
        var records: [(CSVRow, T)] = []
        for row in rows.dropFirst() where !row.isBlank {
            guard row.fields.count == header.count else {
                throw ResultsFileError("'\(path)' line \(row.line): \(row.fields.count) fields under a header of \(header.count)"
                    + (row.terminated ? "" : " (the file ends inside this row: it was cut short)"))
            }
            do { records.append((row, try CSV.decode(T.self, from: Dictionary(zip(header, row.fields), uniquingKeysWith: { a, _ in a })))) }
            catch { throw ResultsFileError("'\(path)' line \(row.line): \(Self.reason(error))") }
        }
        return (headerRow, records)
    }

    /// The file's text; a file with NUL bytes or invalid UTF-8 is not a CSV, and its bytes stay out of the message.
    static func text(of data: Data, path: String) throws -> String {
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw ResultsFileError("'\(path)' is not a text CSV file (it holds binary data)")
        }
        return text
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

    // MARK: the file under its lock

    /// Runs `body` with the file open for appending and locked (flock, exclusive), with its size. If the path was
    /// replaced (merge, baseline update) while this writer waited for the lock, the new file is opened instead.
    private func withLockedFile(_ body: (Int32, Int) throws -> Void) throws {
        _ = Self.ignoreFileSizeSignal
        while true {
            let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw ResultsFileError("cannot write to '\(path)': \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            while flock(fd, LOCK_EX) != 0 {
                if errno != EINTR { throw ResultsFileError("cannot lock '\(path)': \(String(cString: strerror(errno)))") }
            }
            var opened = stat(), named = stat()
            guard fstat(fd, &opened) == 0 else { throw ResultsFileError("cannot stat '\(path)': \(String(cString: strerror(errno)))") }
            if stat(path, &named) != 0 || named.st_ino != opened.st_ino || named.st_dev != opened.st_dev { continue }
            try body(fd, Int(opened.st_size))
            if fsync(fd) != 0 && errno != EINVAL {
                throw ResultsFileError("cannot write to '\(path)': \(String(cString: strerror(errno)))")
            }
            return
        }
    }

    /// Writes all of `bytes`; if the file will not take them (disk full, file size limit), cuts it back to
    /// `restoring` bytes (its last complete row) and throws the failing write's own error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, restoring size: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            let cause = n == 0 ? "nothing written" : String(cString: strerror(errno))
            _ = ftruncate(fd, off_t(size))
            throw ResultsFileError("cannot write a row to '\(path)': \(cause); the file is kept as it was before this row")
        }
    }

    /// The file's first line, without its line end (nil if unreadable).
    static func firstLine(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        var line = buffer[..<n].prefix { $0 != UInt8(ascii: "\n") }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
    }

    /// The whole file behind `fd`.
    static func contents(_ fd: Int32, path: String) throws -> String {
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16), offset = 0
        while true {
            let n = pread(fd, &chunk, chunk.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw ResultsFileError("cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[..<n]; offset += n
        }
        return try text(of: Data(bytes), path: path)
    }

    /// `text` (a CSV under an older header) under the header `columns`: every cell moved to its column as it was
    /// written (no number is read and printed again), the new columns empty, blank lines dropped. A row that does not
    /// fit its header stops the upgrade (the file is then left as it is).
    static func upgraded(_ text: String, to columns: [String], path: String) throws -> String {
        let rows = CSVRow.rows(of: text)
        guard let header = rows.first?.fields else { return columns.joined(separator: ",") + "\n" }
        var lines = [columns.joined(separator: ",")]
        for row in rows.dropFirst() where !row.isBlank {
            guard row.fields.count == header.count else {
                throw ResultsFileError("'\(path)' has an older header and cannot be upgraded to this bench's: line \(row.line) "
                    + "has \(row.fields.count) fields under a header of \(header.count); it is left alone: choose another --output")
            }
            let cells = Dictionary(zip(header, row.fields), uniquingKeysWith: { a, _ in a })
            lines.append(columns.map { quoteKeeping(cells[$0] ?? "") }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A cell as RFC 4180 writes it, line breaks kept (CSV.quote turns them into spaces for new rows; an upgrade
    /// moves cells as they were).
    static func quoteKeeping(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Why a file with another first line is not appended to.
    static func headerMismatch(_ path: String, found: String?, expected: String, required: [String]) -> ResultsFileError {
        let columns = CSVRow.rows(of: found ?? "").first?.fields ?? []
        let missingRequired = required.filter { !columns.contains($0) }
        if !missingRequired.isEmpty || found == nil {
            return ResultsFileError("'\(path)' exists and is not a RevBench results CSV of this kind (it lacks "
                + "\(missingRequired.isEmpty ? "a header" : missingRequired.joined(separator: ", "))); it is left alone: choose another --output")
        }
        let wanted = CSVRow.rows(of: expected).first?.fields ?? []
        let lacks = wanted.filter { !columns.contains($0) }, adds = columns.filter { !wanted.contains($0) }
        let difference = [lacks.isEmpty ? nil : "it lacks \(lacks.joined(separator: ", "))",
                          adds.isEmpty ? nil : "it adds \(adds.joined(separator: ", "))"].compactMap { $0 }
        return ResultsFileError("'\(path)' has another header than this bench writes ("
            + (difference.isEmpty ? "the same columns in another order" : difference.joined(separator: "; "))
            + "); rows are appended only under their own header: choose another --output (bench table reads several files)")
    }

    static func createFolder(of path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        guard !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) else { return }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        catch { throw ResultsFileError("cannot create folder '\(dir)' for output: \(error.localizedDescription)") }
    }

    /// A write past the file size limit (ulimit -f) fails with EFBIG instead of killing the process, so the writer
    /// can cut the row back and say why.
    static let ignoreFileSizeSignal: Void = { signal(SIGXFSZ, SIG_IGN); return () }()
}
