// The table of a budget experiment: per model and depth, each variant's max batch and images/s, and the ratios
// to the standard variant.
import Foundation

public enum BudgetTable {
    public static func render(_ rows: [ResultRow]) -> String {
        var table = [["model", "depth", "variant", "budget", "max batch", "img/s", "batch ratio", "img/s ratio", "note"]]
        for r in rows {
            let standard = rows.first { $0["variant"] == "standard" && $0["model"] == r["model"] && $0["depth"] == r["depth"] }
            let batch = r.double("max_batch") ?? 0
            let ips = r.double("images_per_s")
            let batchRatio = standard.flatMap { s in s.double("max_batch").flatMap { $0 > 0 ? batch / $0 : nil } }
            let ipsRatio = standard.flatMap { s in s.double("images_per_s").flatMap { v in ips.map { $0 / v } } }
            table.append([r["model"] ?? "", r["depth"] ?? "", r["variant"] ?? "",
                          r.double("memory_budget_bytes").map(Format.size) ?? "",
                          r["max_batch"] ?? "", ips.map { Format.fixed($0, 3) } ?? "",
                          batchRatio.map { String(format: "%.2fx", $0) } ?? "", ipsRatio.map { String(format: "%.2fx", $0) } ?? "",
                          r.failed ? (r["error"] ?? "") : ""])
        }
        return TextTable.render(table, rightAligned: Set([1, 3, 4, 5, 6, 7]))
    }
}
