// `bench plot`: SVG charts from CSV rows, one per model and measure: memory per image vs depth, images/s vs depth
// (training runs, largest batch per depth), and max batch and images/s under a memory budget vs depth. A model
// measured at one depth gets grouped bars (SVGChart draws them); each variant keeps its colour in every chart. A value
// that is not a finite number (inf, nan in an older file) is left out.
import Foundation
import Models

public enum Plots {
    /// (file name, SVG) for every chart the rows support.
    public static func charts(_ all: [RunRecord]) -> [(String, String)] {
        // A configuration measured more than once is drawn from its newest row, as the tables show it.
        let ok = all.newestRows().rows.filter { !$0.failed }
        var out: [(String, String)] = []
        let runs = ok.filter { $0.maxBatch == nil }
        let budget = ok.filter { $0.maxBatch != nil }
        for (model, rows) in byModel(runs) {
            // Per depth and variant, the row with the largest batch.
            func series(_ value: (RunRecord) -> Double?) -> [SVGChart.Series] {
                variants(rows).map { v in
                    var best: [Int: RunRecord] = [:]
                    for r in rows where r.variant == v {
                        guard let d = r.depth else { continue }
                        if (best[d]?.batch ?? -1) < (r.batch ?? 0) { best[d] = r }
                    }
                    return SVGChart.Series(v.rawValue, best.compactMap { d, r in finite(value(r)).map { (Double(d), $0) } },
                                           color: color(v))
                }
            }
            out.append(("memory_vs_depth_\(model).svg", SVGChart(title: "\(model): training memory per image",
                xLabel: "depth (blocks)", yLabel: "activation memory per image (MiB)",
                series: series { $0.bytesPerImage.map { Double($0) / 1_048_576 } }).render()))
            out.append(("throughput_vs_depth_\(model).svg", SVGChart(title: "\(model): training throughput",
                xLabel: "depth (blocks)", yLabel: "images per second", series: series(\.imagesPerSecond)).render()))
        }
        for (model, rows) in byModel(budget) {
            let budgetText = rows.first?.memoryBudgetBytes.map { Format.size(Double($0)) } ?? "?"
            func series(_ value: (RunRecord) -> Double?) -> [SVGChart.Series] {
                variants(rows).map { v in
                    SVGChart.Series(v.rawValue, rows.filter { $0.variant == v }.compactMap { r in
                        guard let d = r.depth, let y = finite(value(r)) else { return nil }
                        return (Double(d), y)
                    }, color: color(v))
                }
            }
            out.append(("budget_max_batch_\(model).svg", SVGChart(title: "\(model): largest batch in \(budgetText)",
                xLabel: "depth (blocks)", yLabel: "max batch (images)", series: series { $0.maxBatch.map(Double.init) }).render()))
            out.append(("budget_throughput_\(model).svg", SVGChart(title: "\(model): throughput at max batch in \(budgetText)",
                xLabel: "depth (blocks)", yLabel: "images per second", series: series(\.imagesPerSecond)).render()))
        }
        return out
    }

    /// Rows per chart, in first-seen order: one chart per model, engine and model option (the Swift engine's rows
    /// with the paper's options keep the plain model name; another engine's, device's or precision's rows, or rows
    /// with fused attention or recomputed transitions, get it as a suffix, never a shared chart).
    static func byModel(_ rows: [RunRecord]) -> [(String, [RunRecord])] {
        func name(_ r: RunRecord) -> String {
            let label = r.configuration.modelLabel   // "model" or "model (notes)"
            let slug = label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
            return String(slug).split(separator: "_").joined(separator: "_")
        }
        var order: [String] = [], groups: [String: [RunRecord]] = [:]
        for r in rows {
            let n = name(r)
            if groups[n] == nil { order.append(n) }
            groups[n, default: []].append(r)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// A value a chart can place: nil for a missing one and for inf or nan (which older files hold where a speed
    /// could not be computed, and which would make the SVG invalid).
    static func finite(_ y: Double?) -> Double? { y.flatMap { $0.isFinite ? $0 : nil } }

    /// One colour per variant in every chart, whichever variants a chart has.
    static func color(_ v: Variant) -> String {
        SVGChart.colors[Variant.allCases.firstIndex(of: v)! % SVGChart.colors.count]
    }

    static func variants(_ rows: [RunRecord]) -> [Variant] {
        Variant.allCases.filter { v in rows.contains { $0.variant == v } }
    }
}
