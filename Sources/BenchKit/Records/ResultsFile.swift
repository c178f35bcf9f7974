// The one writer of results CSVs (run, sweep, budget, stability append; merge and baseline update replace): a row
// is complete or absent whatever happens around it. It refuses a folder, anything else that is not a regular file, a
// file that is not .csv, and an existing file that bench's own readers refuse or whose header holds columns this
// bench does not know (the same check, `checkedExisting`, for appending and replacing); it creates a file and its
// header under an exclusive lock, so concurrent writers produce one header; it appends each row under the lock in
// one write, on a fresh line, and cuts a short write back to the last complete row; it replaces a file by renaming a
// finished temporary over it. Opening checks that the file can be written, so a command finds out before it
// measures anything.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A CSV results file with one record type's header (RunRecord's unless told otherwise).
public final class ResultsFile {
    public let path: String
    public let header: String
    /// The columns a file must have to be read as this file's records (`removeRows` reads it back).
    let required: [String]
    /// The columns added when the file, written under an older header, was upgraded on opening (nil: it was not).
    public private(set) var upgradedColumns: [String]?

    /// Opens `path` for appending `T` records: creates it (and its folder) with the header if it is new or empty,
    /// checks that it can be written, and refuses a folder or other non-regular file, a name not ending in .csv, and
    /// a file that bench's readers would refuse (not `T`'s columns, a row that does not fit or decode: appending
    /// below it would make a file none of bench's commands reads) or that has columns this bench does not know.
    /// A file written under an older header (a subset of today's columns) is upgraded in place first: the same
    /// rows, each cell moved to its column and the new columns empty, replace it in one rename; so rows always go to
    /// the file that was named, and --resume finds them there. `csvName` false takes a name that does not end in
    /// .csv (the journal of finished rounds, which nothing that reads results should find).
    public init<T: CSVRecord>(path: String, of type: T.Type, required: [String], csvName: Bool = true) throws {
        self.path = path
        self.header = CSV.header(T.self)
        self.required = required
        if csvName { try Self.checkTarget(path) }
        try Self.createFolder(of: path)
        try withLockedFile { fd, size, created in
            if size == 0 {
                if let cause = Self.writeAll(fd, Array((header + "\n").utf8), restoring: 0) {
                    // A new file goes again (the state before), rather than stay behind empty for the next reader.
                    if created { unlink(path) }
                    throw ResultsFileError("cannot write the header of '\(path)': \(cause); "
                        + (created ? "the new file is removed" : "the file is kept empty"))
                }
                return
            }
            let file = try Self.checkedExisting(T.self, data: Self.contents(fd, path: path), path: path,
                                                required: required, instead: "choose another --output")
            if file.header.text == header { return }
            let found = file.header.fields, wanted = T.columns
            try Self.replaceFile(path, with: Self.upgraded(file.rows.map(\.row), under: found, to: wanted))
            upgradedColumns = wanted.filter { !found.contains($0) }
        }
    }

    /// Opens a RunRecord results file for appending (see `init(path:of:required:)`).
    public convenience init(path: String, csvName: Bool = true) throws {
        try self.init(path: path, of: RunRecord.self, required: RunRecord.requiredColumns.map(\.rawValue), csvName: csvName)
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
        try withLockedFile { fd, size, _ in
            if size == 0 {
                // The file was emptied (or removed and recreated) since it was opened: the header goes first again.
                if let cause = Self.writeAll(fd, Array((header + "\n").utf8) + line, restoring: 0) {
                    throw ResultsFileError("cannot write the header and a row to '\(path)' (it was emptied since it "
                        + "was opened): \(cause); the file is kept empty")
                }
                return
            }
            var last: UInt8 = 0
            let endsInNewline = pread(fd, &last, 1, off_t(size - 1)) == 1 && last == UInt8(ascii: "\n")
            if let cause = Self.writeAll(fd, (endsInNewline ? [] : [UInt8(ascii: "\n")]) + line, restoring: size) {
                throw ResultsFileError("cannot write a row to '\(path)': \(cause); the file is kept as it was before this row")
            }
        }
    }

    /// Removes the rows `matching` selects, under the file's lock, by one rename of the rest (each row as it was
    /// written); a file left without rows is removed. A file that is not there is left so.
    public func removeRows<T: CSVRecord>(_ type: T.Type, matching: (T) -> Bool) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try withLockedFile { _, _, _ in
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

    /// Refuses what must never be written as results: a folder or anything else that is not a regular file (a named
    /// pipe would swallow the rows), a name that is not a .csv file.
    public static func checkTarget(_ path: String) throws {
        if path.isEmpty { throw ResultsFileError("the output path is empty; give a CSV file like results/runs.csv") }
        if let kind = notRegularFile(atPath: path) {
            if kind == folderKind {
                throw ResultsFileError("'\(path)' is a folder; give a CSV file inside it, like '\((path as NSString).appendingPathComponent("runs.csv"))'")
            }
            throw ResultsFileError("'\(path)' is \(kind), not a regular file; results go to a regular .csv file: choose another one")
        }
        if (path as NSString).pathExtension.lowercased() != "csv" {
            throw ResultsFileError("'\(path)' is not a .csv file name; results go to files ending in .csv")
        }
    }

    /// What the existing file at `path` (a link followed) is, in words, when it is not a regular file; nil for a
    /// regular file or nothing there.
    public static func notRegularFile(atPath path: String) -> String? {
        var st = stat()
        return stat(path, &st) == 0 ? notRegular(st.st_mode) : nil
    }

    /// What a file of `mode` is, in words, when it is not a regular file (nil for a regular file).
    static func notRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return folderKind
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a plain file"
        }
    }

    static let folderKind = "a folder"

    /// Refuses a target that `replace` must not overwrite, before anything is read or measured: what `checkTarget`
    /// refuses, and an existing file that bench cannot fully read back as `T` records with the `required` columns
    /// (`checkedExisting`, the check appending makes: a file its readers refuse, or one with columns this bench does
    /// not know, whose content a rewrite would drop). An empty file may be replaced. Returns the existing file's
    /// records (none when it is new or empty), so a caller can account for them; `option` names the option to change
    /// in the refusal.
    @discardableResult
    public static func checkReplaceable<T: CSVRecord>(_ path: String, of type: T.Type, required: [String],
                                                      option: String = "--output") throws -> [T] {
        try checkTarget(path)
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsFileError("cannot read '\(path)', which would be replaced: \(String(cString: strerror(errno)))")
        }
        if data.isEmpty { return [] }
        return try checkedExisting(T.self, data: data, path: path, required: required,
                                   instead: "choose another \(option)").rows.map(\.record)
    }

    /// `checkReplaceable` for a RunRecord results file.
    @discardableResult
    public static func checkReplaceable(_ path: String, option: String = "--output") throws -> [RunRecord] {
        try checkReplaceable(path, of: RunRecord.self, required: RunRecord.requiredColumns.map(\.rawValue), option: option)
    }

    /// Replaces `path` with `text` (a complete CSV of `T` records, header first) as one rename of a finished
    /// temporary file in the same folder: a reader sees the old file or the new one, never a part; an interrupted
    /// replace (SIGINT, SIGTERM, SIGHUP) removes its temporary and leaves the old file as it was. The target is
    /// checked again here (`checkReplaceable`); whether its rows are accounted for is the caller's to say before
    /// (merge, baseline update).
    public static func replace<T: CSVRecord>(_ path: String, of type: T.Type, required: [String], with text: String,
                                             option: String = "--output") throws {
        try checkReplaceable(path, of: T.self, required: required, option: option)
        try createFolder(of: path)
        try replaceFile(path, with: text)
    }

    /// `replace` for a RunRecord results file.
    public static func replace(_ path: String, with text: String, option: String = "--output") throws {
        try replace(path, of: RunRecord.self, required: RunRecord.requiredColumns.map(\.rawValue), with: text, option: option)
    }

    /// Runs `body` holding the exclusive lock appenders take on `path` (when it exists), so no row lands in the file
    /// between what `body` reads of it and its rename: an appender that waited then finds the new file by its name.
    public static func whileLocked<R>(_ path: String, _ body: () throws -> R) throws -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw ResultsFileError("cannot lock '\(path)': \(String(cString: strerror(errno)))") }
        }
        return try body()
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
        if let cause = writeAll(fd, Array(text.utf8), restoring: 0) {
            close(fd)
            unlink(tmp)
            throw ResultsFileError("cannot write the new '\(path)' (into a temporary file beside it): \(cause); "
                + "the temporary is removed and '\(path)' is as it was")
        }
        // The new file keeps the permissions of the one it replaces (mkstemp creates 0600).
        var st = stat()
        fchmod(fd, stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o644)
        beforeRename?()
        close(fd)
        guard rename(tmp, path) == 0 else {
            let cause = String(cString: strerror(errno))
            unlink(tmp)
            throw ResultsFileError("cannot write '\(path)': \(cause); it is as it was")
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
        return try parse(type, data: data, path: path, required: required, instead: nil)
    }

    /// The one check of a file's content, made by every reader and by every writer before it appends to or replaces
    /// a file (so bench never writes into a file that its own readers then refuse): text, a header with the
    /// `required` columns, every non-blank row as many fields as the header and decoding as `T`. A refusal names the
    /// file, and the line when a row is at fault; `instead` is what a writer's user can do other than repair the
    /// file (nil for a reader), and a writer's refusal says the file is left alone.
    static func parse<T: CSVRecord>(_ type: T.Type, data: Data, path: String, required: [String], instead: String?)
        throws -> (header: CSVRow, rows: [(row: CSVRow, record: T)]) {
        func refusal(_ problem: String, repair: String? = nil) -> ResultsFileError {
            guard let instead else { return ResultsFileError(problem + (repair.map { "; " + $0 } ?? "")) }
            return ResultsFileError(problem + "; it is left alone: " + (repair.map { $0 + ", or " } ?? "") + instead)
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            // Its bytes stay out of the message.
            throw refusal("'\(path)' is not a text CSV file (it holds binary data)")
        }
        let rows = CSVRow.rows(of: text)
        guard let headerRow = rows.first, !headerRow.isBlank else {
            throw refusal("'\(path)' is empty, not a RevBench results CSV")
        }
        let header = headerRow.fields
        let missing = required.filter { !header.contains($0) }
        if !missing.isEmpty {
            throw refusal("'\(path)' is not a RevBench results CSV: it lacks the column\(missing.count == 1 ? "" : "s") "
                          + missing.joined(separator: ", "))
        }
        var records: [(CSVRow, T)] = []
        for row in rows.dropFirst() where !row.isBlank {
            guard row.fields.count == header.count else {
                throw refusal("'\(path)' line \(row.line): \(row.fields.count) fields under a header of \(header.count)"
                    + (row.terminated ? "" : " (the file ends inside this row: it was cut short)"), repair: "repair or remove that line")
            }
            do { records.append((row, try CSV.decode(T.self, from: Dictionary(zip(header, row.fields), uniquingKeysWith: { a, _ in a })))) }
            catch { throw refusal("'\(path)' line \(row.line): \(Self.reason(error))", repair: "repair or remove that line") }
        }
        return (headerRow, records)
    }

    /// An existing file a writer may append to or replace: one bench's readers accept (`parse`), under this bench's
    /// header or an older one (a subset of today's columns, which an upgrade or a rewrite keeps). A column this bench
    /// does not know is refused: rewriting the file would drop it.
    static func checkedExisting<T: CSVRecord>(_ type: T.Type, data: Data, path: String, required: [String], instead: String)
        throws -> (header: CSVRow, rows: [(row: CSVRow, record: T)]) {
        let file = try parse(type, data: data, path: path, required: required, instead: instead)
        let found = file.header.fields, wanted = T.columns
        let unknown = found.filter { !wanted.contains($0) }
        if !unknown.isEmpty {
            throw ResultsFileError("'\(path)' has another header than this bench writes (it adds "
                + "\(unknown.joined(separator: ", ")), which rewriting the file would drop); rows are written only under "
                + "their own header, so it is left alone: \(instead) (bench table reads several files)")
        }
        return file
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

    /// Runs `body` with the file open for appending and locked (flock, exclusive), with its size and whether this
    /// call created it. If the path was replaced (merge, baseline update) or removed while this writer waited for the
    /// lock, the file now named is opened instead.
    private func withLockedFile(_ body: (Int32, Int, Bool) throws -> Void) throws {
        _ = Self.ignoreFileSizeSignal
        while true {
            let flags = O_RDWR | O_APPEND | O_CLOEXEC
            var fd = open(path, flags), created = false
            if fd < 0 && errno == ENOENT {
                fd = open(path, flags | O_CREAT | O_EXCL, 0o644)
                created = fd >= 0
                // Another writer created it first (or the name is a link to a missing file): open that one.
                if fd < 0 && errno == EEXIST { fd = open(path, flags | O_CREAT, 0o644) }
            }
            guard fd >= 0 else {
                throw ResultsFileError("cannot write to '\(path)': \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            while flock(fd, LOCK_EX) != 0 {
                if errno != EINTR { throw ResultsFileError("cannot lock '\(path)': \(String(cString: strerror(errno)))") }
            }
            var opened = stat(), named = stat()
            guard fstat(fd, &opened) == 0 else { throw ResultsFileError("cannot stat '\(path)': \(String(cString: strerror(errno)))") }
            if let kind = Self.notRegular(opened.st_mode) {
                // checkTarget refused it already, unless it was swapped in since.
                throw ResultsFileError("'\(path)' is \(kind), not a regular file; results go to a regular .csv file: choose another one")
            }
            if stat(path, &named) != 0 || named.st_ino != opened.st_ino || named.st_dev != opened.st_dev { continue }
            try body(fd, Int(opened.st_size), created)
            if fsync(fd) != 0 && errno != EINVAL {
                throw ResultsFileError("cannot write to '\(path)': \(String(cString: strerror(errno)))")
            }
            return
        }
    }

    /// Writes all of `bytes`; if the file will not take them (disk full, file size limit), cuts it back to
    /// `restoring` bytes (its size before) and returns the failing write's own cause, for the caller to say what it
    /// was writing. Nil when everything was written.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], restoring size: Int) -> String? {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            let cause = n == 0 ? "nothing written" : String(cString: strerror(errno))
            _ = ftruncate(fd, off_t(size))
            return cause
        }
        return nil
    }

    /// The whole file behind `fd`.
    static func contents(_ fd: Int32, path: String) throws -> Data {
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16), offset = 0
        while true {
            let n = pread(fd, &chunk, chunk.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw ResultsFileError("cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[..<n]; offset += n
        }
        return Data(bytes)
    }

    /// `rows` (checked rows of a file under the older header `header`) under the header `columns`: every cell moved
    /// to its column as it was written (no number is read and printed again), the new columns empty, blank lines
    /// dropped.
    static func upgraded(_ rows: [CSVRow], under header: [String], to columns: [String]) -> String {
        ([columns.joined(separator: ",")] + rows.map { relaid($0, under: header, to: columns) }).joined(separator: "\n") + "\n"
    }

    /// One row's line under `columns`: each cell moved from its column under `header` as written (quoted as needed),
    /// a column the row lacks empty. What an upgrade and a merge of files under different headers write.
    static func relaid(_ row: CSVRow, under header: [String], to columns: [String]) -> String {
        let cells = Dictionary(zip(header, row.fields), uniquingKeysWith: { a, _ in a })
        return columns.map { quoteKeeping(cells[$0] ?? "") }.joined(separator: ",")
    }

    /// A cell as RFC 4180 writes it, line breaks kept (CSV.quote turns them into spaces for new rows; an upgrade
    /// moves cells as they were).
    static func quoteKeeping(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
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
