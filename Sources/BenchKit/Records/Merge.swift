// Merging result CSVs from several machines (shards of a sweep, CI matrix jobs): the files must share one header,
// exact duplicate rows are dropped, and rows come out in configuration order (then variant order, then as read).
// The merged file replaces its output in one rename (see ResultsFile.replace).
import Foundation
import Models

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

    /// Writes the merged lines to `output` in one rename, so a reader never sees half a file and an interrupted
    /// merge leaves the old output (and no temporary) behind.
    public static func write(_ lines: [String], to output: String) throws {
        do { try ResultsFile.replace(output, with: lines.joined(separator: "\n") + "\n") }
        catch let e as ResultsFileError { throw BenchError(e.description) }
    }
}
