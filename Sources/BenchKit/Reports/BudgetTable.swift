// The table of a budget experiment: per model and depth, each variant's max batch and images/s, and the ratios
// to the standard variant; a speed whose measurement is not to be trusted is marked `*` as in the comparison table.
import Foundation

public enum BudgetTable {
    public static func render(_ all: [RunRecord]) -> String {
        // A configuration measured more than once shows its newest row (`newestRows`), and a line says so.
        let newest = all.newestRows()
        let rows = newest.rows
        var table = [[Column.model.rawValue, Column.depth.rawValue, Column.variant.rawValue, "budget", "max batch", "img/s",
                      "batch ratio", "img/s ratio", "note"]]
        let groups = rows.byConfiguration()
        for r in rows {
            let standard = groups[r.configuration]?.first { $0.variant == .standard }
            let batch = Double(r.maxBatch ?? 0)
            let ips = r.imagesPerSecond
            let batchRatio = standard?.maxBatch.flatMap { $0 > 0 ? batch / Double($0) : nil }
            let ipsRatio = standard?.imagesPerSecond.flatMap { v in ips.map { $0 / v } }
            table.append([r.model, r.depth.map(String.init) ?? "", r.variant.rawValue,
                          r.memoryBudgetBytes.map { Format.size(Double($0)) } ?? "",
                          r.maxBatch.map(String.init) ?? "",
                          ips.map { Format.fixed($0, 3) + (Rounds.unreliability(r) != nil ? " *" : "") } ?? "",
                          batchRatio.map { String(format: "%.2fx", $0) } ?? "", ipsRatio.map { String(format: "%.2fx", $0) } ?? "",
                          r.failed ? (r.error ?? "") : ""])
        }
        var out = TextTable.render(table, rightAligned: Set([1, 3, 4, 5, 6, 7]))
        if newest.rows.contains(where: { !$0.failed && Rounds.unreliability($0) != nil }) { out += "\n" + Rounds.unreliableSpeedNote }
        return out + ([RunRecord].hiddenNote(newest.hiddenConfigurations).map { "\n" + $0 } ?? "")
    }
}
