// Compares a run of the CI preset with a committed baseline. Memory is deterministic in the ledger, so any change
// of ledger bytes fails; jemalloc may drift a little; the reversible model must stay depth-independent; speed
// is compared only as the reversible/standard ratio, and only warns.
import Foundation
import Models

/// The small twins CI measures: tiny width, 32x32 images, depths 4 and 16, batches 2 and 4, all three variants.
/// One thread, so every ledger figure (LayerNorm's per-thread workspace included) is the same on any machine;
/// ten timed steps because each takes milliseconds.
public enum CIPreset {
    public static let model = "vit_tiny_test"
    public static let depths = [4, 16]
    public static let batches = [2, 4]
    public static let threads = 1

    public static func requests(steps: Int = 10, warmup: Int = 2) -> [RunRequest] {
        depths.flatMap { d in
            batches.flatMap { b in
                Variant.allCases.map { v in
                    RunRequest(model: model, overrides: ConfigOverrides(depth: d), variant: v, batch: b,
                               steps: steps, warmup: warmup, threads: threads, seed: 0)
                }
            }
        }
    }
}

/// One thing that moved.
public struct RegressionFinding: Equatable, Sendable {
    public enum Severity: String, Sendable { case failure = "FAIL", warning = "warn" }
    public var severity: Severity
    public var configuration: String
    public var metric: String
    public var baseline: String
    public var current: String
    public var rule: String
}

public enum RegressionCheck {
    /// Allowed growth of jemalloc's step peak.
    public static let jemallocGrowth = 0.05
    /// Allowed fall of the standard/reversible memory ratio.
    public static let ratioFall = 0.02
    /// Relative band around the baseline's reversible/standard images/s ratio outside which a warning is given.
    public static let throughputBand = 0.5

    static func configKey(_ r: ResultRow) -> String {
        "\(r["model"] ?? "") d\(r["depth"] ?? "") w\(r["width"] ?? "") h\(r["heads"] ?? "") "
            + "img\(r["image_size"] ?? "")/p\(r["patch_size"] ?? "") b\(r["batch"] ?? "")"
    }

    static func rowKey(_ r: ResultRow) -> String { configKey(r) + " " + (r["variant"] ?? "") }

    /// Every failure and warning of `current` against `baseline`.
    public static func compare(baseline: [ResultRow], current: [ResultRow]) -> [RegressionFinding] {
        var findings: [RegressionFinding] = []
        let base = baseline.filter { !$0.failed }
        var now: [String: ResultRow] = [:]
        for r in current where !r.failed { now[rowKey(r)] = r }

        for b in base {
            let key = rowKey(b)
            guard let c = now[key] else {
                let err = current.first { rowKey($0) == key }?["error"] ?? "no row"
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: "measurement",
                                                  baseline: "present", current: err, rule: "every baseline row is measured"))
                continue
            }
            for metric in ["peak_ledger_activation_bytes", "bytes_per_image"] where b[metric] != c[metric] {
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: metric,
                    baseline: b[metric] ?? "", current: c[metric] ?? "", rule: "ledger bytes are deterministic: any change"))
            }
            if let bj = b.double("step_jemalloc_bytes"), let cj = c.double("step_jemalloc_bytes"), cj > bj * (1 + jemallocGrowth) {
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: "step_jemalloc_bytes",
                    baseline: b["step_jemalloc_bytes"] ?? "", current: c["step_jemalloc_bytes"] ?? "",
                    rule: "grows > \(Int(jemallocGrowth * 100))% (\(percent(cj / bj - 1)))"))
            }
        }

        // Ratios between variants of one configuration.
        func byConfig(_ rows: [ResultRow]) -> [String: [String: ResultRow]] {
            var m: [String: [String: ResultRow]] = [:]
            for r in rows where !r.failed { m[configKey(r), default: [:]][r["variant"] ?? ""] = r }
            return m
        }
        let baseConfigs = byConfig(base), nowConfigs = byConfig(current)
        for (key, bv) in baseConfigs.sorted(by: { $0.key < $1.key }) {
            guard let nv = nowConfigs[key], let bs = bv["standard"], let br = bv["reversible"],
                  let ns = nv["standard"], let nr = nv["reversible"] else { continue }
            if let bRatio = ratio(bs, br, "bytes_per_image"), let nRatio = ratio(ns, nr, "bytes_per_image"),
               nRatio < bRatio * (1 - ratioFall) {
                findings.append(RegressionFinding(severity: .failure, configuration: key, metric: "standard/reversible memory",
                    baseline: String(format: "%.3fx", bRatio), current: String(format: "%.3fx", nRatio),
                    rule: "falls > \(Int(ratioFall * 100))% (\(percent(nRatio / bRatio - 1)))"))
            }
            if let bSpeed = ratio(br, bs, "images_per_s"), let nSpeed = ratio(nr, ns, "images_per_s"),
               abs(nSpeed / bSpeed - 1) > throughputBand {
                findings.append(RegressionFinding(severity: .warning, configuration: key, metric: "reversible/standard img/s",
                    baseline: String(format: "%.3f", bSpeed), current: String(format: "%.3f", nSpeed),
                    rule: "outside +-\(Int(throughputBand * 100))% (\(percent(nSpeed / bSpeed - 1)))"))
            }
        }

        // Reversible activation memory must not grow with depth (within the current run).
        var revByShape: [String: [(Int, ResultRow)]] = [:]
        for r in current where !r.failed && r["variant"] == "reversible" {
            let shape = "\(r["model"] ?? "") w\(r["width"] ?? "") h\(r["heads"] ?? "") img\(r["image_size"] ?? "") b\(r["batch"] ?? "")"
            revByShape[shape, default: []].append((r.int("depth") ?? 0, r))
        }
        for (shape, rows) in revByShape.sorted(by: { $0.key < $1.key }) {
            let sorted = rows.sorted { $0.0 < $1.0 }
            for (lo, hi) in zip(sorted, sorted.dropFirst()) {
                if let a = lo.1.double("peak_ledger_activation_bytes"), let b = hi.1.double("peak_ledger_activation_bytes"), b > a {
                    findings.append(RegressionFinding(severity: .failure, configuration: shape + " reversible",
                        metric: "activation bytes vs depth", baseline: "depth \(lo.0): \(Int(a))",
                        current: "depth \(hi.0): \(Int(b))", rule: "reversible activation memory grows with depth"))
                }
            }
        }
        return findings
    }

    static func ratio(_ a: ResultRow, _ b: ResultRow, _ column: String) -> Double? {
        guard let x = a.double(column), let y = b.double(column), y > 0 else { return nil }
        return x / y
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
