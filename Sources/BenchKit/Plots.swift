// `bench plot`: SVG charts from CSV rows, one per model and measure: memory per image vs depth, images/s vs depth
// (training runs, largest batch per depth), and max batch and images/s under a memory budget vs depth.
import Foundation

public enum Plots {
    /// (file name, SVG) for every chart the rows support.
    public static func charts(_ all: [ResultRow]) -> [(String, String)] {
        let ok = all.filter { !$0.failed }
        var out: [(String, String)] = []
        let runs = ok.filter { ($0["max_batch"] ?? "").isEmpty }
        let budget = ok.filter { !($0["max_batch"] ?? "").isEmpty }
        for model in orderedModels(runs) {
            let rows = runs.filter { $0["model"] == model }
            // Per depth and variant, the row with the largest batch.
            func series(_ column: String, scale: Double) -> [SVGChart.Series] {
                variants(rows).map { v in
                    var best: [Double: ResultRow] = [:]
                    for r in rows where r["variant"] == v {
                        guard let d = r.double("depth") else { continue }
                        if (best[d]?.double("batch") ?? -1) < (r.double("batch") ?? 0) { best[d] = r }
                    }
                    return SVGChart.Series(v, best.compactMap { d, r in r.double(column).map { (d, $0 / scale) } })
                }
            }
            out.append(("memory_vs_depth_\(model).svg", SVGChart(title: "\(model): training memory per image",
                xLabel: "depth (blocks)", yLabel: "activation memory per image (MB)", series: series("bytes_per_image", scale: 1e6)).render()))
            out.append(("throughput_vs_depth_\(model).svg", SVGChart(title: "\(model): training throughput",
                xLabel: "depth (blocks)", yLabel: "images per second", series: series("images_per_s", scale: 1)).render()))
        }
        for model in orderedModels(budget) {
            let rows = budget.filter { $0["model"] == model }
            let budgetText = rows.first?.double("memory_budget_bytes").map(Format.size) ?? "?"
            func series(_ column: String) -> [SVGChart.Series] {
                variants(rows).map { v in
                    SVGChart.Series(v, rows.filter { $0["variant"] == v }.compactMap { r in
                        guard let d = r.double("depth"), let y = r.double(column) else { return nil }
                        return (d, y)
                    })
                }
            }
            out.append(("budget_max_batch_\(model).svg", SVGChart(title: "\(model): largest batch in \(budgetText)",
                xLabel: "depth (blocks)", yLabel: "max batch (images)", series: series("max_batch")).render()))
            out.append(("budget_throughput_\(model).svg", SVGChart(title: "\(model): throughput at max batch in \(budgetText)",
                xLabel: "depth (blocks)", yLabel: "images per second", series: series("images_per_s")).render()))
        }
        return out
    }

    static func orderedModels(_ rows: [ResultRow]) -> [String] {
        var seen: [String] = []
        for r in rows { if let m = r["model"], !seen.contains(m) { seen.append(m) } }
        return seen
    }

    static func variants(_ rows: [ResultRow]) -> [String] {
        ["standard", "reversible", "checkpointed"].filter { v in rows.contains { $0["variant"] == v } }
    }
}
