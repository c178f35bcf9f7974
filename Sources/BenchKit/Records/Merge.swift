// Merging result CSVs from several machines (shards of a sweep, CI matrix jobs): the files must share one header,
// exact duplicate rows are dropped, and rows come out in configuration order (then variant order, then as read).
// The merged file replaces its output in one rename (see ResultsFile.replace); an existing output is replaced only
// when nothing in it is lost: bench reads all of it, and its rows are merged (it is one of the inputs) or it has none.
import Foundation
import Models
#if canImport(Glibc)
import Glibc
#endif

public enum Merge {
    /// The merged file's lines (header first), or an error naming the file whose header differs.
    public static func lines(of paths: [String]) throws -> [String] {
        guard let first = paths.first else { throw BenchError("bench merge needs at least one CSV file") }
        var header: CSVRow?
        var rows: [(line: String, record: RunRecord, order: Int)] = []
        var seen = Set<String>()
        for path in paths {
            let file = try ResultsFile.parse(RunRecord.self, path, required: RunRecord.requiredColumns.map(\.rawValue))
            let h = file.header
            if let header, h.fields != header.fields {
                let a = Set(header.fields), b = Set(h.fields)
                let missing = a.subtracting(b).sorted(), extra = b.subtracting(a).sorted()
                throw BenchError("'\(path)' has another header than '\(first)'"
                    + (missing.isEmpty ? "" : "; it lacks \(missing.joined(separator: ", "))")
                    + (extra.isEmpty ? "" : "; it adds \(extra.joined(separator: ", "))")
                    + (missing.isEmpty && extra.isEmpty ? " (the same columns in another order)" : ""))
            }
            if header == nil { header = h }
            for (row, record) in file.rows where seen.insert(row.text).inserted {
                rows.append((row.text, record, rows.count))
            }
        }
        let variantOrder = Dictionary(uniqueKeysWithValues: Variant.allCases.enumerated().map { ($1, $0) })
        rows.sort { a, b in
            let ka = a.record.configuration, kb = b.record.configuration
            if ka != kb { return ka < kb || (!(kb < ka) && "\(ka)" < "\(kb)") }
            if a.record.variant != b.record.variant { return variantOrder[a.record.variant]! < variantOrder[b.record.variant]! }
            return a.order < b.order
        }
        return [header!.text] + rows.map(\.line)
    }

    /// Refuses an output the merge must not replace, before any input is read: what `ResultsFile.checkReplaceable`
    /// refuses (a folder, a named pipe, a file bench cannot fully read), and an existing output that holds rows but
    /// is not one of `inputs` (the same file by device and inode, however it is named): its rows would be lost.
    public static func checkOutput(_ output: String, inputs: [String]) throws {
        let existing: [RunRecord]
        do { existing = try ResultsFile.checkReplaceable(output) }
        catch let e as ResultsFileError { throw BenchError(e.description) }
        guard !existing.isEmpty, !inputs.contains(where: { isSameFile($0, output) }) else { return }
        throw BenchError("'\(output)' already holds \(existing.count) row\(existing.count == 1 ? "" : "s") and is not one "
            + "of the files to merge, so merging over it would lose them; it is left alone: list it among the files "
            + "to merge too, or choose a new --output")
    }

    /// Whether `a` and `b` name one existing file.
    static func isSameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Writes the merged lines of `inputs` to `output` in one rename, so a reader never sees half a file and an
    /// interrupted merge leaves the old output (and no temporary) behind. The output is checked again first.
    /// Under the output's lock, so a row a running bench appends to it meanwhile is either in the merge or refused,
    /// never lost in the rename: every row the output holds then must be among the merged lines.
    public static func write(_ lines: [String], to output: String, from inputs: [String]) throws {
        try checkOutput(output, inputs: inputs)
        do {
            try ResultsFile.whileLocked(output) {
                let merged = Set(lines)
                let now = FileManager.default.fileExists(atPath: output)
                    ? try ResultsFile.parse(RunRecord.self, output, required: RunRecord.requiredColumns.map(\.rawValue)).rows : []
                if let missing = now.first(where: { !merged.contains($0.row.text) }) {
                    throw BenchError("'\(output)' line \(missing.row.line) was written while merging (a bench still running into "
                        + "it?); it is left alone: run bench merge again once that run has finished")
                }
                try ResultsFile.replace(output, with: lines.joined(separator: "\n") + "\n")
            }
        }
        catch let e as ResultsFileError { throw BenchError(e.description) }
    }
}
