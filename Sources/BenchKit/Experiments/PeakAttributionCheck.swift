// bench check's explanation of a memory regression: the CI preset's peak attribution (peak.csv rows of every
// configuration, stored beside the baseline as ci-peak.csv) diffed against a fresh profile of the configurations
// whose ledger bytes changed, so the failure names the scopes (block, layer, role) whose bytes moved.
import Foundation
import Engine
import Models

/// The stored peak attribution of the CI preset and its scope-by-scope diff.
public enum PeakAttributionCheck {
    /// The attribution stored with the CI baseline (written by `bench baseline update`).
    public static let defaultPath = "results/baseline/ci-peak.csv"

    /// One scope and category whose bytes at the peak differ from the stored attribution.
    public struct Change: Equatable, Sendable {
        public var configuration: String
        public var scope: String
        public var category: String
        public var baseline: Int
        public var current: Int
        /// The same layer and role, summed over blocks, did not change: the peak only moved to another block
        /// (what a new tensor elsewhere does to a step whose peak is a sliding window, as in backward).
        public var movedWithThePeak = false
    }

    /// The block-level roles of a reversible run's current pair of streams (see BlockScopes).
    static let streamRoles: Set<String> = ["stream Y1", "stream Y2", "reconstructed inputs"]

    /// "vit_tiny_test depth 4 batch 2 standard": the configuration a peak row belongs to.
    public static func key(_ r: PeakRow) -> String { "\(r.model) depth \(r.depth) batch \(r.batch) \(r.variant)" }
    static func key(_ r: RunRequest) -> String {
        "\(r.configuration.model) depth \(r.configuration.depth) batch \(r.batch) \(r.variant.rawValue)"
    }

    /// Profiles `requests` (each in a fresh child, one warm-up step) and returns their peak rows.
    public static func profile(_ requests: [RunRequest], quiet: Bool) throws -> [PeakRow] {
        try requests.flatMap { r -> [PeakRow] in
            var one = r
            one.steps = 1
            one.warmup = 1
            return ProfileAnalysis(try ProfileRunner.run(one, quiet: true)).peak
        }
    }

    /// Refuses a peak baseline `writeBaseline` must not replace (see `ResultsFile.checkReplaceable`): anything but
    /// a missing, empty or peak.csv file bench reads fully. Its rows are the CI preset's, profiled again.
    /// Where the peak attribution of `baseline` is stored: beside it, named after it (`ci.csv` -> `ci-peak.csv`), so
    /// two baselines in one folder keep one each.
    public static func peakPath(forBaseline baseline: String) -> String {
        let stem = ((baseline as NSString).lastPathComponent as NSString).deletingPathExtension
        return ((baseline as NSString).deletingLastPathComponent as NSString).appendingPathComponent(stem + "-peak.csv")
    }

    public static func checkBaselineTarget(_ path: String, option: String) throws {
        try ResultsFile.checkReplaceable(path, of: PeakRow.self, required: PeakRow.columns, option: option)
    }

    /// The CI preset's attribution written to `path` (replacing it whole, in one rename, after the same check).
    public static func writeBaseline(_ path: String = defaultPath, option: String, quiet: Bool) throws {
        try checkBaselineTarget(path, option: option)
        let rows = try profile(try CIPreset.requests(), quiet: quiet)
        try ResultsFile.replace(path, of: PeakRow.self, required: PeakRow.columns, with: try ProfileExperiment.csv(rows),
                                option: option)
    }

    /// The requests of `requests` whose configuration has a failing ledger finding (exact bytes changed).
    public static func regressed(_ requests: [RunRequest], findings: [RegressionFinding]) -> [RunRequest] {
        let exact = Set(RegressionCheck.exactColumns.map(\.0.rawValue))
        let failing = Set(findings.filter { $0.severity == .failure && exact.contains($0.metric) }.map(\.configuration))
        return requests.filter { failing.contains(RegressionCheck.rowKey(RunRecord(request: $0))) }
    }

    /// Every scope and category of the configurations in `current` whose bytes differ from `baseline`, largest
    /// change first.
    public static func changes(baseline: [PeakRow], current: [PeakRow]) -> [Change] {
        let configurations = Set(current.map(key))
        func bytes(_ rows: [PeakRow]) -> [String: [String: (String, String, Int)]] {
            var out: [String: [String: (String, String, Int)]] = [:]
            for r in rows where configurations.contains(key(r)) {
                let k = r.scope + "\t" + r.category
                let old = out[key(r), default: [:]][k]?.2 ?? 0
                out[key(r), default: [:]][k] = (r.scope, r.category, old + r.bytes)
            }
            return out
        }
        let before = bytes(baseline), after = bytes(current)
        // Per configuration, (layer, role, category) summed over blocks: a change that cancels out there moved.
        var blockless: [String: [String: Int]] = [:]
        func withoutBlock(_ r: PeakRow) -> String {
            // A reversible run's two streams become the rebuilt inputs of the block before: one pair of tensors.
            let role = r.layer == nil && streamRoles.contains(r.role) ? "streams" : r.role
            return "\(r.region)\t\(r.layer ?? "")\t\(role)\t\(r.category)"
        }
        for r in baseline where configurations.contains(key(r)) { blockless[key(r), default: [:]][withoutBlock(r), default: 0] -= r.bytes }
        for r in current { blockless[key(r), default: [:]][withoutBlock(r), default: 0] += r.bytes }
        var blocklessOf: [String: String] = [:]  // scope -> its blockless key
        for r in baseline + current { blocklessOf[r.scope + "\t" + r.category] = withoutBlock(r) }
        var out: [Change] = []
        for configuration in configurations.sorted() {
            let b = before[configuration] ?? [:], a = after[configuration] ?? [:]
            for k in Set(b.keys).union(a.keys) {
                let old = b[k]?.2 ?? 0, new = a[k]?.2 ?? 0
                guard old != new, let names = a[k] ?? b[k] else { continue }
                let moved = blockless[configuration]?[blocklessOf[k] ?? ""] == 0
                out.append(Change(configuration: configuration, scope: names.0, category: names.1, baseline: old, current: new,
                                  movedWithThePeak: moved))
            }
        }
        return out.sorted {
            abs($0.current - $0.baseline) != abs($1.current - $1.baseline) ? abs($0.current - $0.baseline) > abs($1.current - $1.baseline)
                : ($0.configuration, $0.scope, $0.category) < ($1.configuration, $1.scope, $1.category)
        }
    }

    /// The changes as a table (at most `limit` rows; those that only moved with the peak counted in one line), or
    /// a line saying the attribution did not change.
    public static func render(_ changes: [Change], limit: Int = 24) -> String {
        guard !changes.isEmpty else { return "peak attribution: no scope changed at the peak (the change is elsewhere in the step)" }
        let net = changes.filter { !$0.movedWithThePeak }, moved = changes.count - net.count
        let movedLine = moved == 0 ? "" : "\n\(moved) more scope changes only moved with the peak (the same layer and role at another block)"
        guard !net.isEmpty else { return "peak attribution: the peak moved to another block; no layer holds more or less" + movedLine }
        var rows = [["configuration", "scope", "category", "baseline bytes", "current bytes", "change"]]
        for c in net.prefix(limit) {
            rows.append([c.configuration, c.scope, c.category, String(c.baseline), String(c.current),
                         String(format: "%+d", c.current - c.baseline)])
        }
        let more = net.count > limit ? "\n(\(net.count - limit) more changed scopes)" : ""
        return "what changed at the peak, scope by scope (against the stored attribution):\n"
            + TextTable.render(rows, rightAligned: [3, 4, 5]) + more + movedLine
    }
}
