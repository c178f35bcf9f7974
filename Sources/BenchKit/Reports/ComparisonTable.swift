// The table `bench run` prints: per batch and variant, peak memory three ways, memory per image, speed, and
// ratios to the standard variant; with two or more batch sizes, the per-image slope.
import Foundation
import Models

public enum ComparisonTable {
    /// The table; with `sgemmGFLOPs` (the machine's SGEMM rate at the same threads) a column gives achieved
    /// GFLOP/s as a fraction of it.
    public static func render(_ rows: [RunRecord], sgemmGFLOPs: Double? = nil) -> String {
        let sgemmGFLOPs = sgemmGFLOPs ?? rows.compactMap(\.sgemmGFLOPs).first
        // A configuration measured more than once shows its newest row (`newestRows`), and a line says so.
        let newest = rows.newestRows()
        let ok = newest.rows.filter { !$0.failed }
        var table: [[String]] = [[Column.model.rawValue, Column.depth.rawValue, Column.variant.rawValue, Column.batch.rawValue,
                                  "step MiB (ledger)", "step MiB (jemalloc)", "RSS peak MiB",
                                  "MiB/img", "mem ratio", "img/s", "speed ratio", "GFLOP/s", "% of SGEMM"]]
        let groups = ok.byConfiguration()
        func cell<N>(_ x: N?) -> String { x.map { "\($0)" } ?? "" }
        for row in ok {
            let standard = groups[row.configuration]?.first(.standard)
            let perImage = Double(row.bytesPerImage ?? 0)
            let memRatio = standard?.bytesPerImage.map { Double($0) / max(perImage, 1) }
            // Speed ratios within each round (variants adjacent in time), median [min-max] over rounds.
            let speedRatio = standard.flatMap { s in Rounds.ratioText(Rounds.ratios(row, s))
                ?? s.imagesPerSecond.flatMap { v in row.imagesPerSecond.map { String(format: "%.2fx", $0 / v) } } }
            let unreliable = Rounds.unreliability(row) != nil
            table.append([row.model, cell(row.depth), row.variant.rawValue, cell(row.batch),
                          Format.mib(Double(row.stepLedgerBytes ?? 0)), Format.mib(Double(row.stepJemallocBytes ?? 0)),
                          Format.mib(Double(row.peakRSSBytes ?? 0)), Format.mib(perImage),
                          memRatio.map { String(format: "%.2fx", $0) } ?? "", cell(row.imagesPerSecond) + (unreliable ? " *" : ""),
                          speedRatio ?? "", cell(row.gflopsPerSecond),
                          sgemmGFLOPs.flatMap { peak in row.gflopsPerSecond.map {
                              // Above the reference means the reference is too low, never that the model beat SGEMM.
                              String(format: "%.0f%%", 100 * $0 / peak) + ($0 > peak ? " !" : "") } } ?? ""])
        }
        var out = TextTable.render(table, rightAligned: Set([1] + Array(3..<13)))
        let rounds = ok.compactMap(\.rounds).max() ?? 1
        if rounds > 1 {
            out += "\nimg/s: median over all timed steps of \(rounds) rounds; speed ratio: median [min-max] of the per-round ratios"
        }
        if let peak = sgemmGFLOPs, ok.contains(where: { ($0.gflopsPerSecond ?? 0) > peak }) {
            out += "\n! above 100% of SGEMM: the reference was measured while the machine ran slower than during the steps;"
                + " rerun bench calibrate on an idle machine"
        }
        if ok.contains(where: { Rounds.unreliability($0) != nil }) {
            out += "\n" + Rounds.unreliableSpeedNote
        }
        if let note = [RunRecord].hiddenNote(newest.hiddenConfigurations) { out += "\n" + note }
        let slopes = slopeLines(ok)
        if !slopes.isEmpty { out += "\n\nmemory per additional image (slope between batch sizes):\n" + slopes.joined(separator: "\n") }
        for f in rows where f.failed {
            out += "\nfailed: \(f.variant.rawValue) batch \(cell(f.batch)): \(f.error ?? "")"
        }
        return out
    }

    /// "model depth D variant: X MiB/img (batch a -> b)" for each configuration measured at two or more batch sizes.
    static func slopeLines(_ rows: [RunRecord]) -> [String] {
        var lines: [String] = []
        // The same configuration at any batch, per variant.
        func key(_ r: RunRecord) -> String { "\(r.configuration.without(.batch)) \(r.variant.rawValue)" }
        var keys: [String] = []
        for r in rows where !keys.contains(key(r)) { keys.append(key(r)) }
        for k in keys {
            let group = rows.filter { key($0) == k }
            let pts = group.compactMap { r -> (Double, Double)? in
                guard let b = r.batch, let s = r.stepLedgerBytes else { return nil }
                return (Double(b), Double(s))
            }.sorted { $0.0 < $1.0 }
            guard let lo = pts.first, let hi = pts.last, hi.0 > lo.0, let r = group.first else { continue }
            let slope = (hi.1 - lo.1) / (hi.0 - lo.0)
            lines.append("  \(r.model) depth \(r.depth.map(String.init) ?? "?") \(r.variant.rawValue): \(Format.mib(slope)) MiB/img (batch \(Int(lo.0)) -> \(Int(hi.0)))")
        }
        return lines
    }
}
