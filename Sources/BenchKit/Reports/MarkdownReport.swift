// `bench table`: Markdown tables from CSV rows. Memory and speed per model, depth and batch with the paper's
// Table 1 beside it where the configuration matches, predicted vs measured memory, and budget experiments.
// Missing measurements are blank cells, never estimates. The committed results' tables live in docs/results.md.
import Foundation
import Models

public enum MarkdownReport {
    /// The page the committed results' tables live in, between its `bench table` markers (`bench table --markdown`
    /// writes them there; `bench reproduce` too).
    public static let resultsPage = "docs/results.md"

    static func cell(_ x: Double?, _ decimals: Int) -> String { x.map { Format.fixed($0, decimals) } ?? "" }
    static func ratio(_ x: Double?) -> String { x.map { String(format: "%.2fx", $0) } ?? "" }

    static func markdown(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var out = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for r in rows.dropFirst() { out.append("| " + r.joined(separator: " | ") + " |") }
        return out.joined(separator: "\n")
    }

    /// Memory and speed per model, depth, batch (rows without max_batch), then budget experiments.
    public static func render(_ rows: [RunRecord]) -> String {
        // A failure that a later run of the same configuration and build measured is not listed as missing.
        let all = rows.withoutSupersededFailures()
        let ok = all.filter { !$0.failed }
        // A configuration measured again shows its newest row, and the table says how many had older ones.
        let runs = ok.filter { $0.maxBatch == nil }.newestRows()
        let budget = all.filter { $0.maxBatch != nil }.newestRows()
        var sections: [String] = []
        if !runs.rows.isEmpty { sections.append(memoryTable(runs.rows) + ([RunRecord].hiddenNote(runs.hiddenConfigurations).map { "\n\n" + $0 } ?? "")) }
        if !budget.rows.isEmpty { sections.append(budgetTable(budget.rows) + ([RunRecord].hiddenNote(budget.hiddenConfigurations).map { "\n\n" + $0 } ?? "")) }
        if !runs.rows.isEmpty || !budget.rows.isEmpty { sections.append(provenanceTable(runs.rows + budget.rows)) }
        let failed = all.filter { $0.failed && $0.maxBatch == nil }
        if !failed.isEmpty {
            sections.append("Configurations without a measurement: " + failed.map {
                "\($0.model) depth \(text($0.depth)) \($0.variant.rawValue) batch \(text($0.batch)): \($0.error ?? "")"
            }.joined(separator: "; "))
        }
        return sections.joined(separator: "\n\n")
    }

    static func text(_ x: Int?) -> String { x.map(String.init) ?? "" }

    static func memoryTable(_ runs: [RunRecord]) -> String {
        var rows = [[Column.model.rawValue, Column.depth.rawValue, Column.batch.rawValue, "params M (std / rev)", "GMACs (std / rev)",
                     "MiB/img standard", "MiB/img reversible", "MiB/img checkpointed", "memory ratio std/rev",
                     "paper MiB/img std / rev (ratio)", "img/s standard", "img/s reversible", "img/s checkpointed",
                     "img/s ratio rev/std", "predicted / measured peak"]]
        let groups = runs.groupedByConfiguration()
        let byKey = runs.byConfiguration()
        for (key, g) in groups {
            let s = g.first(.standard), r = g.first(.reversible), c = g.first(.checkpointed)
            // A transitions-recompute group has only the reversible twin: its memory is compared with the standard
            // and checkpointed twins of the stored group (deterministic bytes); speed only within its own run.
            let others = byKey[key.withStoredTransitions] ?? []
            let memoryS = s ?? others.first(.standard), memoryC = c ?? others.first(.checkpointed)
            // MiB (2^20 bytes): the paper's unit (its code divides max_memory_allocated() by 1024^3).
            let mb = { (row: RunRecord?) in row?.bytesPerImage.map { Double($0) / 1_048_576 } }
            let ips = { (row: RunRecord?) in row?.imagesPerSecond }
            // A speed cell gets a * when its run's speed is not to be trusted (contention, rounds disagreeing).
            func speed(_ row: RunRecord?) -> String {
                cell(ips(row), 2) + (row.flatMap(Rounds.unreliability) != nil ? " *" : "")
            }
            let memRatio = mb(memoryS).flatMap { a in mb(r).map { a / $0 } }
            let speedRatio = ips(r).flatMap { a in ips(s).map { a / $0 } }
            let paper = g.first.flatMap(PaperReference.row(for:))
            let paperCell = paper.map { String(format: "%.1f / %.1f (%.1fx)", $0.standardMBPerImage, $0.reversibleMBPerImage, $0.memoryRatio) } ?? ""
            let params = [s, r].map { $0?.params.map { Format.fixed(Double($0) / 1e6, 2) } ?? "" }.joined(separator: " / ")
            let gmacs = [s, r].map { cell($0?.gmacsPerImage, 2) }.joined(separator: " / ")
            let predicted = g.compactMap { row -> Double? in
                guard let p = row.predictedPeakBytes, let m = row.peakLedgerBytes, m > 0 else { return nil }
                return Double(p) / Double(m)
            }
            let predCell = predicted.isEmpty ? "" : String(format: "%.3f-%.3f", predicted.min()!, predicted.max()!)
            let first = g[0]
            rows.append([first.configuration.modelLabel, text(first.depth), text(first.batch), params, gmacs,
                         cell(mb(memoryS), 1), cell(mb(r), 1), cell(mb(memoryC), 1), ratio(memRatio), paperCell,
                         speed(s), speed(r), speed(c), ratio(speedRatio), predCell])
        }
        let marked = runs.contains { Rounds.unreliability($0) != nil }
        return markdown(rows) + (marked ? "\n\n\\* speed figures unreliable: the child had less than 90% of its threads' CPU time, "
            + "or its rounds disagreed by more than 10%" : "")
    }

    /// Where the rows shown above were measured, from their own columns: one line per commit, CPU, BLAS, threads
    /// and build, naming what was measured there and how many rows. Prose about the results cites this table, so it
    /// cannot name a host or commit the rows do not.
    static func provenanceTable(_ rows: [RunRecord]) -> String {
        struct Origin: Hashable { var gitSHA, cpu, blas, threads, build: String }
        var order: [Origin] = [], measured: [Origin: [(label: String, count: Int)]] = [:]
        for r in rows {
            let origin = Origin(gitSHA: r.gitSHA ?? "", cpu: r.cpu ?? "", blas: r.blas ?? "", threads: text(r.threads),
                                build: r.build ?? "")
            let label = r.configuration.modelLabel + (r.memoryBudgetBytes.map { ", budget \(Format.size(Double($0)))" } ?? "")
            if measured[origin] == nil { order.append(origin) }
            if let i = measured[origin]?.firstIndex(where: { $0.label == label }) { measured[origin]?[i].count += 1 }
            else { measured[origin, default: []].append((label, 1)) }
        }
        var out = [[Column.gitSHA.rawValue, Column.cpu.rawValue, Column.blas.rawValue, Column.threads.rawValue,
                    Column.build.rawValue, "rows"]]
        for o in order {
            let what = measured[o, default: []].map { "\($0.label): \($0.count)" }.joined(separator: "; ")
            out.append([o.gitSHA, o.cpu, o.blas, o.threads, o.build, what])
        }
        return "Where the rows above were measured (their `git_sha`, `cpu`, `blas`, `threads` and `build` columns):\n\n"
            + markdown(out)
    }

    static func budgetTable(_ rows: [RunRecord]) -> String {
        var out = [[Column.model.rawValue, Column.depth.rawValue, "budget", "max batch std / rev / ckpt", "img/s std / rev / ckpt",
                    "max batch ratio rev/std", "img/s ratio rev/std"]]
        for (_, g) in rows.groupedByConfiguration() {
            // Budget rows that found no batch are failures with max_batch 0: show the 0, not a blank.
            func v(_ variant: Variant) -> RunRecord? { g.first { $0.variant == variant } }
            let s = v(.standard), r = v(.reversible), c = v(.checkpointed)
            let batches = [s, r, c].map { text($0?.maxBatch) }.joined(separator: " / ")
            let speeds = [s, r, c].map { cell($0?.imagesPerSecond, 2) }.joined(separator: " / ")
            let batchRatio = (s?.maxBatch).flatMap { sb in sb > 0 ? r?.maxBatch.map { Double($0) / Double(sb) } : nil }
            let speedRatio = (s?.imagesPerSecond).flatMap { ss in r?.imagesPerSecond.map { $0 / ss } }
            let first = g[0]
            out.append([first.configuration.modelLabel, text(first.depth), first.memoryBudgetBytes.map { Format.size(Double($0)) } ?? "",
                        batches, speeds, ratio(batchRatio), ratio(speedRatio)])
        }
        return markdown(out)
    }

    /// Replaces the text between `<!-- BEGIN bench table -->` and `<!-- END bench table -->` in `document` (named
    /// `name` in errors). A document with no pair, the END first, or more than one pair is refused: only one place
    /// can hold the tables.
    public static func splice(_ table: String, into document: String, command: String, name: String = "the document") throws -> String {
        let begin = "<!-- BEGIN bench table -->", end = "<!-- END bench table -->"
        let begins = document.components(separatedBy: begin).count - 1, ends = document.components(separatedBy: end).count - 1
        if begins > 1 || ends > 1 {
            throw BenchError("\(name) has \(begins) '\(begin)' and \(ends) '\(end)' markers; it needs exactly one pair")
        }
        guard let b = document.range(of: begin), let e = document.range(of: end), b.upperBound <= e.lowerBound else {
            throw BenchError("\(name) has no '\(begin)' ... '\(end)' markers (BEGIN first) where the tables go")
        }
        return document.replacingCharacters(in: b.upperBound..<e.lowerBound,
                                            with: "\n<!-- generated by: \(command) -->\n" + table + "\n")
    }
}
