// Merging result CSVs from several machines (shards of a sweep, CI matrix jobs): the files must share one header,
// exact duplicate rows are dropped, and rows come out in configuration order (then variant order, then as read).
import Foundation
import Models

public enum Merge {
    /// The merged file's lines (header first), or an error naming the file whose header differs.
    public static func lines(of paths: [String]) throws -> [String] {
        guard let first = paths.first else { throw BenchError("bench merge needs at least one CSV file") }
        var header: String?
        var rows: [(line: String, record: RunRecord, order: Int)] = []
        var seen = Set<String>()
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read '\(path)'") }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            guard let h = lines.first else { throw BenchError("'\(path)' is empty") }
            if let header, h != header {
                let a = Set(CSV.split(Substring(header))), b = Set(CSV.split(Substring(h)))
                let missing = a.subtracting(b).sorted(), extra = b.subtracting(a).sorted()
                throw BenchError("'\(path)' has another header than '\(first)'"
                    + (missing.isEmpty ? "" : "; it lacks \(missing.joined(separator: ", "))")
                    + (extra.isEmpty ? "" : "; it adds \(extra.joined(separator: ", "))")
                    + (missing.isEmpty && extra.isEmpty ? " (the same columns in another order)" : ""))
            }
            header = h
            let records = try ResultsFile.read(path)
            guard records.count == lines.count - 1 else { throw BenchError("'\(path)' has rows that do not fit its header") }
            for (line, record) in zip(lines.dropFirst(), records) where seen.insert(line).inserted {
                rows.append((line, record, rows.count))
            }
        }
        let variantOrder = Dictionary(uniqueKeysWithValues: Variant.allCases.enumerated().map { ($1, $0) })
        rows.sort { a, b in
            let ka = a.record.configuration, kb = b.record.configuration
            if ka != kb { return ka < kb || (!(kb < ka) && "\(ka)" < "\(kb)") }
            if a.record.variant != b.record.variant { return variantOrder[a.record.variant]! < variantOrder[b.record.variant]! }
            return a.order < b.order
        }
        return [header!] + rows.map(\.line)
    }

    /// Writes the merged lines to `output` in one rename, so a reader never sees half a file.
    public static func write(_ lines: [String], to output: String) throws {
        let tmp = output + ".merging-\(getpid())"
        do {
            try (lines.joined(separator: "\n") + "\n").write(toFile: tmp, atomically: false, encoding: .utf8)
            if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
            try FileManager.default.moveItem(atPath: tmp, toPath: output)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw BenchError("cannot write '\(output)': \(error.localizedDescription)")
        }
    }
}
