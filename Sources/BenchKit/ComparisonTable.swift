// The table `bench run` prints: per batch and variant, peak memory three ways, memory per image, speed, and
// ratios to the standard variant; with two or more batch sizes, the per-image slope.
import Foundation

public enum ComparisonTable {
    /// The table; with `sgemmGFLOPs` (the machine's SGEMM rate at the same threads) a column gives achieved
    /// GFLOP/s as a fraction of it.
    public static func render(_ rows: [ResultRow], sgemmGFLOPs: Double? = nil) -> String {
        let ok = rows.filter { !$0.failed }
        var table: [[String]] = [["model", "depth", "variant", "batch", "step MiB (ledger)", "step MiB (jemalloc)", "RSS peak MiB",
                                  "MB/img", "mem ratio", "img/s", "speed ratio", "GFLOP/s", "% of SGEMM"]]
        for row in ok {
            let standard = ok.first { $0["variant"] == "standard" && $0["batch"] == row["batch"]
                && $0["depth"] == row["depth"] && $0["model"] == row["model"] }
            let perImage = row.double("bytes_per_image") ?? 0
            let memRatio = standard.flatMap { s in s.double("bytes_per_image").map { $0 / max(perImage, 1) } }
            let speedRatio = standard.flatMap { s in s.double("images_per_s").map { (row.double("images_per_s") ?? 0) / $0 } }
            table.append([row["model"] ?? "", row["depth"] ?? "", row["variant"] ?? "", row["batch"] ?? "",
                          Format.mib(row.double("step_ledger_bytes") ?? 0), Format.mib(row.double("step_jemalloc_bytes") ?? 0),
                          Format.mib(row.double("peak_rss_bytes") ?? 0), Format.mb(perImage),
                          memRatio.map { String(format: "%.2fx", $0) } ?? "", row["images_per_s"] ?? "",
                          speedRatio.map { String(format: "%.2fx", $0) } ?? "", row["gflops_per_s"] ?? "",
                          sgemmGFLOPs.flatMap { peak in row.double("gflops_per_s").map { String(format: "%.0f%%", 100 * $0 / peak) } } ?? ""])
        }
        var out = TextTable.render(table, rightAligned: Set([1] + Array(3..<13)))
        let slopes = slopeLines(ok)
        if !slopes.isEmpty { out += "\n\nmemory per additional image (slope between batch sizes):\n" + slopes.joined(separator: "\n") }
        let failed = rows.filter(\.failed)
        for f in failed { out += "\nfailed: \(f["variant"] ?? "") batch \(f["batch"] ?? ""): \(f["error"] ?? "")" }
        return out
    }

    /// "model depth D variant: X MB/img (batch a -> b)" for each configuration measured at two or more batch sizes.
    static func slopeLines(_ rows: [ResultRow]) -> [String] {
        var lines: [String] = []
        var keys: [String] = []
        func key(_ r: ResultRow) -> String {
            ["model", "depth", "width", "heads", "image_size", "patch_size", "variant"].map { r[$0] ?? "" }.joined(separator: "|")
        }
        for r in rows where !keys.contains(key(r)) { keys.append(key(r)) }
        for k in keys {
            let group = rows.filter { key($0) == k }
            let pts = group.compactMap { r -> (Double, Double)? in
                guard let b = r.double("batch"), let s = r.double("step_ledger_bytes") else { return nil }
                return (b, s)
            }.sorted { $0.0 < $1.0 }
            guard let lo = pts.first, let hi = pts.last, hi.0 > lo.0, let r = group.first else { continue }
            let slope = (hi.1 - lo.1) / (hi.0 - lo.0)
            lines.append("  \(r["model"] ?? "") depth \(r["depth"] ?? "") \(r["variant"] ?? ""): \(Format.mb(slope)) MB/img (batch \(Int(lo.0)) -> \(Int(hi.0)))")
        }
        return lines
    }
}
