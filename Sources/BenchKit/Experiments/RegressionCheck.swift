// Compares a run of the CI preset with a committed baseline. Memory is deterministic in the ledger, so any change
// of ledger bytes fails; jemalloc may drift a little; the reversible model must stay depth-independent; speed
// is compared only as the reversible/standard ratio, and only warns.
import Foundation
import Models

public enum RegressionCheck {
    /// Allowed growth of jemalloc's step peak: 5%, plus jemalloc's own resolution. Its thread peak is an
    /// approximation sampled every 64 KiB of allocation (PEAK_EVENT_WAIT), so on a step of a few hundred KiB an
    /// unrelated change in what the process allocated before the step moves the reading by up to that much.
    public static let jemallocGrowth = 0.05
    public static let jemallocResolution = 64 * 1024
    /// Allowed fall of the standard/reversible memory ratio.
    public static let ratioFall = 0.02
    /// Relative band around the baseline's reversible/standard images/s ratio outside which a warning is given.
    public static let throughputBand = 0.5

    /// The ledger figures that must not change at all.
    static let exactColumns: [(RunRecord.CodingKeys, KeyPath<RunRecord, Int?>)] = [
        (.peakLedgerActivationBytes, \.peakLedgerActivationBytes), (.bytesPerImage, \.bytesPerImage),
    ]

    static func rowKey(_ r: RunRecord) -> String { "\(r.configuration) \(r.variant.rawValue)" }

    static func text(_ x: Int?) -> String { x.map(String.init) ?? "" }

    /// Every failure and warning of `current` against `baseline`.
    public static func compare(baseline: [RunRecord], current: [RunRecord]) -> [RegressionFinding] {
        var findings: [RegressionFinding] = []
        // A configuration measured more than once is compared by its newest row (`newestRows`), in both files.
        let current = current.withoutSupersededFailures().newestRows().rows
        let base = baseline.newestRows().rows.filter { !$0.failed }
        var now: [String: RunRecord] = [:]
        for r in current where !r.failed { now[rowKey(r)] = r }

        for b in base {
            let key = rowKey(b)
            guard let c = now[key] else {
                let err = current.first { rowKey($0) == key }?.error ?? "no row"
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: "measurement",
                                                  baseline: "present", current: err, rule: "every baseline row is measured"))
                continue
            }
            for (column, value) in exactColumns where b[keyPath: value] != c[keyPath: value] {
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: column.rawValue,
                    baseline: text(b[keyPath: value]), current: text(c[keyPath: value]),
                    rule: "ledger bytes are deterministic: any change"))
            }
            if let bj = b.stepJemallocBytes, let cj = c.stepJemallocBytes,
               Double(cj) > Double(bj) * (1 + jemallocGrowth) + Double(jemallocResolution) {
                findings.append(RegressionFinding(severity: .failure, configuration: key,
                    metric: RunRecord.CodingKeys.stepJemallocBytes.rawValue, baseline: text(bj), current: text(cj),
                    rule: "grows > \(Int(jemallocGrowth * 100))% + 64 KiB (\(percent(Double(cj) / Double(bj) - 1)))"))
            }
        }

        // Ratios between variants of one configuration.
        let nowConfigs = current.byConfiguration()
        for (config, bv) in base.groupedByConfiguration().sorted(by: { $0.configuration < $1.configuration }) {
            guard let nv = nowConfigs[config], let bs = bv.first(.standard), let br = bv.first(.reversible),
                  let ns = nv.first(.standard), let nr = nv.first(.reversible) else { continue }
            let key = config.description
            if let bRatio = ratio(bs.bytesPerImage, br.bytesPerImage), let nRatio = ratio(ns.bytesPerImage, nr.bytesPerImage),
               nRatio < bRatio * (1 - ratioFall) {
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: "standard/reversible memory",
                    baseline: String(format: "%.3fx", bRatio), current: String(format: "%.3fx", nRatio),
                    rule: "falls > \(Int(ratioFall * 100))% (\(percent(nRatio / bRatio - 1)))"))
            }
            if let bSpeed = ratio(br.imagesPerSecond, bs.imagesPerSecond), let nSpeed = ratio(nr.imagesPerSecond, ns.imagesPerSecond),
               abs(nSpeed / bSpeed - 1) > throughputBand {
                findings.append(RegressionFinding(severity: .warning, configuration: key, metric: "reversible/standard img/s",
                    baseline: String(format: "%.3f", bSpeed), current: String(format: "%.3f", nSpeed),
                    rule: "outside +-\(Int(throughputBand * 100))% (\(percent(nSpeed / bSpeed - 1)))"))
            }
        }

        // Reversible activation memory must not grow with depth (within the current run).
        var revByShape: [RunConfiguration: [RunRecord]] = [:]
        for r in current where !r.failed && r.variant == .reversible {
            revByShape[r.configuration.ignoringDepth, default: []].append(r)
        }
        for (shape, rows) in revByShape.sorted(by: { $0.key < $1.key }) {
            let sorted = rows.sorted { ($0.depth ?? 0) < ($1.depth ?? 0) }
            for (lo, hi) in zip(sorted, sorted.dropFirst()) {
                if let a = lo.peakLedgerActivationBytes, let b = hi.peakLedgerActivationBytes, b > a {
                    findings.append(RegressionFinding(severity: .failure, configuration: "\(shape) reversible",
                        metric: "activation bytes vs depth", baseline: "depth \(text(lo.depth)): \(a)",
                        current: "depth \(text(hi.depth)): \(b)", rule: "reversible activation memory grows with depth"))
                }
            }
        }
        return findings
    }

    static func ratio<N: BinaryInteger>(_ a: N?, _ b: N?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        return Double(a) / Double(b)
    }

    static func ratio(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        return a / b
    }

    static func percent(_ x: Double) -> String { String(format: "%+.1f%%", x * 100) }

    /// The findings as a table, or nil when there are none.
    public static func render(_ findings: [RegressionFinding]) -> String? {
        guard !findings.isEmpty else { return nil }
        var rows = [["", "configuration", "metric", "baseline", "current", "rule"]]
        for f in findings { rows.append([f.severity.rawValue, f.configuration, f.metric, f.baseline, f.current, f.rule]) }
        return TextTable.render(rows)
    }

    /// One line: how many rows were compared and what was found.
    public static func summary(_ findings: [RegressionFinding], compared: Int) -> String {
        let failures = findings.filter { $0.severity == .failure }.count
        let warnings = findings.count - failures
        if failures == 0 {
            return "bench check: OK, \(compared) baseline rows compared, no memory regression"
                + (warnings > 0 ? ", \(warnings) throughput warning\(warnings == 1 ? "" : "s")" : "")
        }
        return "bench check: FAILED, \(failures) regression\(failures == 1 ? "" : "s") in \(compared) baseline rows"
            + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "")
    }
}
