// What bench profile prints and draws from the variants' analyses: one line per variant with its peak and when it
// happens, a table of the largest holders at each peak, the timeline chart and the stacked bars of what holds each
// peak (grouped by role, split by block range).
import Foundation
import Engine
import Models

/// Text and charts of a set of profiled variants.
public enum ProfileReport {
    static func mib(_ bytes: Int) -> String { Format.mib(Double(bytes)) }

    /// KiB for a small model (a peak under 16 MiB), MiB otherwise: the holders table's unit.
    static func unit(_ analyses: [ProfileAnalysis]) -> (name: String, bytes: Double) {
        (analyses.map(\.peakBytes).max() ?? 0) < 16 << 20 ? ("KiB", 1024) : ("MiB", 1_048_576)
    }

    /// "standard: peak 210.3 MiB (146.2 MiB above the step's start) at 52% of the step, in backward (block 11 · ...)".
    public static func peakLine(_ a: ProfileAnalysis) -> String {
        "\(a.variant.rawValue): peak \(mib(a.peakBytes)) MiB (\(mib(a.peakBytes - a.baselineBytes)) MiB above the step's start) "
            + "at \(Int((a.peakProgress * 100).rounded()))% of the step (\(Format.fixed(a.peakTimeMs, 1)) ms), in \(a.peakPhase), "
            + "allocating \(a.peakScope)"
    }

    /// The peak's rows with every layer's weights merged into one row per category (parameters, gradients): what
    /// the holders table lists. peak.csv keeps them per layer.
    static func holders(_ a: ProfileAnalysis) -> [PeakRow] {
        var merged: [String: PeakRow] = [:]
        var rows: [PeakRow] = []
        for r in a.peak {
            guard r.role == "weights" else { rows.append(r); continue }
            var m = merged[r.category] ?? PeakRow(model: r.model, depth: r.depth, batch: r.batch, variant: r.variant, region: "all", block: nil, layer: nil, role: "weights",
                                                 scope: "all layers · weights", category: r.category, bytes: 0)
            m.bytes += r.bytes
            merged[r.category] = m
        }
        return (rows + merged.values).sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.category < $1.category }
    }

    /// The `count` largest holders at each variant's peak (every layer's weights as one row), with their share.
    public static func holdersTable(_ analyses: [ProfileAnalysis], count: Int = 12) -> String {
        var out: [String] = []
        let unit = unit(analyses)
        func size(_ bytes: Int) -> String { Format.fixed(Double(bytes) / unit.bytes, 1) }
        for a in analyses {
            var rows = [["scope", "category", unit.name, "share"]]
            let holders = holders(a)
            for r in holders.prefix(count) {
                rows.append([r.scope, r.category, size(r.bytes), Format.fixed(100 * Double(r.bytes) / Double(max(a.peakBytes, 1)), 1) + "%"])
            }
            let rest = holders.dropFirst(count).reduce(0) { $0 + $1.bytes }
            if rest > 0 {
                rows.append(["\(holders.count - count) more scopes", "", size(rest), Format.fixed(100 * Double(rest) / Double(max(a.peakBytes, 1)), 1) + "%"])
            }
            rows.append(["total (the ledger's peak)", "", size(a.peakBytes), "100.0%"])
            out.append("\(a.variant.rawValue): largest holders at the peak\n" + TextTable.render(rows, rightAligned: [2, 3]))
        }
        return out.joined(separator: "\n\n")
    }

    /// The blocks of `a`'s model that are Rev-MViT stage transitions (non-reversible blocks between the reversible
    /// runs), so the bars show them as what they are; empty for every other model and variant.
    static func transitions(_ a: ProfileAnalysis) -> Set<Int> {
        let c = a.profile.configuration
        guard c.family == .mvit, a.variant == .reversible else { return [] }
        return Set(MViTPlan(c).blocks.filter(\.isTransition).map(\.index))
    }

    /// The group a peak row belongs to in the stacked bars: parameters, gradients and optimizer state as a whole;
    /// the input; the stem, head and loss; Rev-MViT's stage transitions (`transitions`); inside other blocks, by role.
    public static func group(_ r: PeakRow, transitions: Set<Int> = []) -> String {
        switch r.category {
        case MemoryCategory.parameter.description: return "parameters"
        case MemoryCategory.gradient.description: return "gradients"
        case MemoryCategory.optimizerState.description: return "optimizer state"
        case MemoryCategory.workspace.description: return "workspace"
        default: break
        }
        if let b = r.block, transitions.contains(b) { return "stage transitions" }
        switch r.region {
        case ScopeRegion.block.rawValue: break
        case ScopeRegion.input.rawValue: return "input batch"
        case ScopeRegion.head.rawValue, ScopeRegion.loss.rawValue: return "head and loss"
        default: return r.region
        }
        if r.role == "probabilities" || r.role == "log-sum-exp" { return "attention probabilities" }
        if (r.layer ?? "").hasPrefix("attn") { return "attention (qkv, context, pooling)" }
        if (r.layer ?? "").hasPrefix("mlp") || (r.layer ?? "").hasPrefix("fuse") || r.layer == "proj" { return "MLP" }
        if (r.layer ?? "").hasPrefix("norm") { return "LayerNorm outputs and stats" }
        return "block inputs, residuals, streams"
    }

    /// Legend order, bottom of the stack first: what every variant has, then activations from the input upwards.
    static let groupOrder = ["parameters", "gradients", "optimizer state", "input batch", "stem",
                             "block inputs, residuals, streams", "LayerNorm outputs and stats",
                             "attention (qkv, context, pooling)", "attention probabilities", "MLP", "stage transitions",
                             "head and loss", "workspace"]

    /// What holds each variant's peak, by group (the stacked bars' groups), a column per variant; the totals
    /// are the ledger's peaks.
    public static func groupTable(_ analyses: [ProfileAnalysis]) -> String {
        let unit = unit(analyses)
        func mib(_ bytes: Int) -> String { Format.fixed(Double(bytes) / unit.bytes, 1) }
        var rows = [["at the peak, \(unit.name)"] + analyses.map(\.variant.rawValue)]
        let sums = analyses.map { a -> [String: Int] in
            var out: [String: Int] = [:]
            let transitions = transitions(a)
            for r in a.peak { out[group(r, transitions: transitions), default: 0] += r.bytes }
            return out
        }
        let present = groupOrder.filter { g in sums.contains { $0[g] != nil } }
            + Set(sums.flatMap(\.keys)).subtracting(groupOrder).sorted()
        for g in present { rows.append([g] + sums.map { mib($0[g] ?? 0) }) }
        rows.append(["total (the ledger's peak)"] + analyses.map { mib($0.peakBytes) })
        rows.append(["of which above the step's start"] + analyses.map { mib($0.peakBytes - $0.baselineBytes) })
        return TextTable.render(rows, rightAligned: Set(1...max(analyses.count, 1)))
    }

    /// "blocks 0-3" style ranges: up to four per model.
    static func blockRange(_ block: Int, depth: Int) -> String {
        let size = max(1, (depth + 3) / 4)
        let lo = block / size * size, hi = min(lo + size, depth) - 1
        return lo == hi ? "block \(lo)" : "blocks \(lo)-\(hi)"
    }

    /// One bar per variant: its peak split by group and, inside blocks, by block range; MiB.
    public static func peakBars(_ analyses: [ProfileAnalysis]) -> StackedBarChart {
        let bars = analyses.map { a -> StackedBarChart.Bar in
            var parts: [String: Int] = [:]
            var order: [String] = []
            let transitions = transitions(a)
            for r in a.peak {
                let g = group(r, transitions: transitions)
                let part = (r.block != nil && r.category != MemoryCategory.parameter.description
                            && r.category != MemoryCategory.gradient.description
                            && r.category != MemoryCategory.optimizerState.description)
                    ? blockRange(r.block!, depth: a.profile.configuration.depth) : ""
                let key = g + "\t" + part
                if parts[key] == nil { order.append(key) }
                parts[key, default: 0] += r.bytes
            }
            let segments = order.map { key -> StackedBarChart.Segment in
                let p = key.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                return .init(group: p[0], part: p[1], value: Double(parts[key]!) / 1_048_576)
            }.sorted { a, b in
                let ia = groupOrder.firstIndex(of: a.group) ?? groupOrder.count, ib = groupOrder.firstIndex(of: b.group) ?? groupOrder.count
                return ia != ib ? ia < ib : a.part.localizedStandardCompare(b.part) == .orderedAscending
            }
            return .init(name: a.variant.rawValue, segments: segments)
        }
        return StackedBarChart(title: "What holds the peak: \(title(analyses))", yLabel: "MiB at the peak (all categories)",
                               bars: bars, groupOrder: groupOrder)
    }

    /// The timeline of every variant on one chart, MiB above the step's start.
    public static func timelineChart(_ analyses: [ProfileAnalysis]) -> ProfileTimelineChart {
        let lines = analyses.map { a -> ProfileTimelineChart.Line in
            var points: [(x: Double, y: Double)] = [(0, 0)]
            points += a.timeline.map { ($0.progress, Double($0.aboveBaselineBytes) / 1_048_576) }
            // Backward and the optimizer step: loss is too short to mark apart from backward's start.
            let boundaries = a.phaseStarts.filter { $0.phase == .backward || $0.phase == .optimizer }
                .map { (label: $0.phase.description, x: $0.progress) }
            return .init(name: "\(a.variant.rawValue) (peak +\(mib(a.peakBytes - a.baselineBytes)) MiB)",
                         points: points, boundaries: boundaries)
        }
        return ProfileTimelineChart(title: "Live memory over one training step: \(title(analyses))", lines: lines)
    }

    /// "vit_small_patch16_224, depth 12, batch 8, math attention".
    public static func title(_ analyses: [ProfileAnalysis]) -> String {
        guard let p = analyses.first?.profile else { return "" }
        let c = p.configuration
        return "\(c.model), depth \(c.depth), batch \(p.batch), \(c.attention.rawValue) attention"
            + (c.family == .mvit && c.transitions == .recompute ? ", stage transitions recomputed" : "")
    }

    /// Seconds with four significant digits (a tiny model's step is well under a millisecond).
    static func seconds(_ s: Double) -> String { String(format: "%.4g", s) }

    /// The profiling overhead measured in a child: median CPU seconds per step with recording off and on.
    public static func overheadLine(_ a: ProfileAnalysis) -> String? {
        guard let o = a.profile.overhead, !o.profiledCPUSeconds.isEmpty else { return nil }
        let off = Format.median(sorted: o.unprofiledCPUSeconds.sorted()), on = Format.median(sorted: o.profiledCPUSeconds.sorted())
        let offWall = Format.median(sorted: o.unprofiledWallSeconds.sorted()), onWall = Format.median(sorted: o.profiledWallSeconds.sorted())
        return "\(a.variant.rawValue): profiling overhead over \(o.profiledCPUSeconds.count) alternating pairs: median CPU "
            + "\(seconds(off)) s unprofiled, \(seconds(on)) s profiled (\(String(format: "%+.1f%%", (on / off - 1) * 100))); "
            + "wall \(seconds(offWall)) s vs \(seconds(onWall)) s; "
            + "CPU per pair (off/on): " + zip(o.unprofiledCPUSeconds, o.profiledCPUSeconds).map { "\(seconds($0))/\(seconds($1))" }.joined(separator: " ")
    }
}
