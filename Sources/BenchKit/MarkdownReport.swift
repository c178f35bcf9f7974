// `bench table`: Markdown tables from CSV rows. Memory and speed per model, depth and batch with the paper's
// Table 1 beside it where the configuration matches, predicted vs measured memory, and budget experiments.
// Missing measurements are blank cells, never estimates.
import Foundation

public enum MarkdownReport {
    static func cell(_ x: Double?, _ decimals: Int) -> String { x.map { Format.fixed($0, decimals) } ?? "" }
    static func ratio(_ x: Double?) -> String { x.map { String(format: "%.2fx", $0) } ?? "" }

    static func markdown(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var out = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for r in rows.dropFirst() { out.append("| " + r.joined(separator: " | ") + " |") }
        return out.joined(separator: "\n")
    }

    /// Groups rows by a key, keeping first-seen order.
    static func grouped(_ rows: [ResultRow], by key: (ResultRow) -> String) -> [(String, [ResultRow])] {
        var order: [String] = [], groups: [String: [ResultRow]] = [:]
        for r in rows {
            let k = key(r)
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// Memory and speed per model, depth, batch (rows without max_batch), then budget experiments.
    public static func render(_ all: [ResultRow]) -> String {
        let ok = all.filter { !$0.failed }
        let runs = ok.filter { ($0["max_batch"] ?? "").isEmpty }
        let budget = all.filter { !($0["max_batch"] ?? "").isEmpty }
        var sections: [String] = []
        if !runs.isEmpty { sections.append(memoryTable(runs)) }
        if !budget.isEmpty { sections.append(budgetTable(budget)) }
        let failed = all.filter { $0.failed && ($0["max_batch"] ?? "").isEmpty }
        if !failed.isEmpty {
            sections.append("Configurations without a measurement: " + failed.map {
                "\($0["model"] ?? "") depth \($0["depth"] ?? "") \($0["variant"] ?? "") batch \($0["batch"] ?? ""): \($0["error"] ?? "")"
            }.joined(separator: "; "))
        }
        return sections.joined(separator: "\n\n")
    }

    static func memoryTable(_ runs: [ResultRow]) -> String {
        var rows = [["model", "depth", "batch", "params M (std / rev)", "GMACs (std / rev)",
                     "MB/img standard", "MB/img reversible", "MB/img checkpointed", "memory ratio std/rev",
                     "paper MB/img std / rev (ratio)", "img/s standard", "img/s reversible", "img/s checkpointed",
                     "img/s ratio rev/std", "predicted / measured peak"]]
        let groups = grouped(runs) { r in
            ["model", "depth", "width", "heads", "image_size", "patch_size", "batch"].map { r[$0] ?? "" }.joined(separator: "|")
        }
        for (_, g) in groups {
            func v(_ name: String) -> ResultRow? { g.first { $0["variant"] == name } }
            let s = v("standard"), r = v("reversible"), c = v("checkpointed")
            let mb = { (row: ResultRow?) in row?.double("bytes_per_image").map { $0 / 1e6 } }
            let ips = { (row: ResultRow?) in row?.double("images_per_s") }
            let memRatio = mb(s).flatMap { a in mb(r).map { a / $0 } }
            let speedRatio = ips(r).flatMap { a in ips(s).map { a / $0 } }
            let paper = g.first.flatMap(PaperReference.row(for:))
            let paperCell = paper.map { String(format: "%.1f / %.1f (%.1fx)", $0.standardMBPerImage, $0.reversibleMBPerImage, $0.memoryRatio) } ?? ""
            let params = [s, r].map { $0?.double("params").map { Format.fixed($0 / 1e6, 2) } ?? "" }.joined(separator: " / ")
            let gmacs = [s, r].map { cell($0?.double("gmacs_per_image"), 2) }.joined(separator: " / ")
            let predicted = g.compactMap { row -> Double? in
                guard let p = row.double("predicted_peak_bytes"), let m = row.double("peak_ledger_bytes"), m > 0 else { return nil }
                return p / m
            }
            let predCell = predicted.isEmpty ? "" : String(format: "%.3f-%.3f", predicted.min()!, predicted.max()!)
            let first = g[0]
            rows.append([first["model"] ?? "", first["depth"] ?? "", first["batch"] ?? "", params, gmacs,
                         cell(mb(s), 1), cell(mb(r), 1), cell(mb(c), 1), ratio(memRatio), paperCell,
                         cell(ips(s), 2), cell(ips(r), 2), cell(ips(c), 2), ratio(speedRatio), predCell])
        }
        return markdown(rows)
    }

    static func budgetTable(_ rows: [ResultRow]) -> String {
        var out = [["model", "depth", "budget", "max batch std / rev / ckpt", "img/s std / rev / ckpt",
                    "max batch ratio rev/std", "img/s ratio rev/std"]]
        let groups = grouped(rows) { r in ["model", "depth", "memory_budget_bytes", "width", "image_size"].map { r[$0] ?? "" }.joined(separator: "|") }
        for (_, g) in groups {
            func v(_ name: String) -> ResultRow? { g.first { $0["variant"] == name } }
            let s = v("standard"), r = v("reversible"), c = v("checkpointed")
            let batches = [s, r, c].map { $0?["max_batch"] ?? "" }.joined(separator: " / ")
            let speeds = [s, r, c].map { cell($0?.double("images_per_s"), 2) }.joined(separator: " / ")
            let batchRatio = (s?.double("max_batch")).flatMap { sb in sb > 0 ? r?.double("max_batch").map { $0 / sb } : nil }
            let speedRatio = (s?.double("images_per_s")).flatMap { ss in r?.double("images_per_s").map { $0 / ss } }
            let first = g[0]
            out.append([first["model"] ?? "", first["depth"] ?? "",
                        first.double("memory_budget_bytes").map(Format.size) ?? "", batches, speeds,
                        ratio(batchRatio), ratio(speedRatio)])
        }
        return markdown(out)
    }

    /// Replaces the text between `<!-- BEGIN bench table -->` and `<!-- END bench table -->` in `document`.
    public static func splice(_ table: String, into document: String, command: String) throws -> String {
        let begin = "<!-- BEGIN bench table -->", end = "<!-- END bench table -->"
        guard let b = document.range(of: begin), let e = document.range(of: end), b.upperBound <= e.lowerBound else {
            throw BenchError("the document has no '\(begin)' ... '\(end)' markers")
        }
        return document.replacingCharacters(in: b.upperBound..<e.lowerBound,
                                            with: "\n<!-- generated by: \(command) -->\n" + table + "\n")
    }
}
