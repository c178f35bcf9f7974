// Turns one profiled step into what bench profile writes: the timeline (live bytes after every event) and the
// attribution of the peak (live bytes per scope and category at the first event that reaches the step's maximum),
// by replaying the events on top of the live bytes before the step. Both are exact: the replayed maximum is the
// ledger's peak, and the attribution's rows sum to it.
import Engine
import Models

/// The timeline and the peak attribution of one profiled step.
public struct ProfileAnalysis: Sendable {
    public let profile: StepProfile
    public let timeline: [TimelineRow]
    /// What is live at the peak, largest first; sums to `peakBytes`.
    public let peak: [PeakRow]
    /// The largest live total of the step (the ledger's peak) and the live total before it.
    public let peakBytes: Int
    public let baselineBytes: Int
    /// The first event at which the peak is reached (-1: before the first event), its phase, time and scope.
    public let peakEvent: Int
    public let peakPhase: StepPhase
    public let peakProgress: Double
    public let peakTimeMs: Double
    /// What is live at the end of forward (the last forward event), per scope and category: what the model keeps
    /// for backward, the point `revbench_torch breakdown` measures.
    public let endOfForward: [PeakRow]
    /// The progress (0...1) at which each phase after the first begins, in order.
    public let phaseStarts: [(phase: StepPhase, progress: Double)]

    public var variant: Variant { profile.variant }

    public init(_ profile: StepProfile) {
        self.profile = profile
        let slots = Ledger.categoryCount
        let n = profile.eventCount
        let duration = Double(max(profile.nanoseconds.last ?? 1, 1))
        var live = Self.initialLive(profile)
        var total = profile.before.reduce(0) { $0 + $1.bytes }
        var perCategory = [Int](repeating: 0, count: slots)
        for b in profile.before { perCategory[b.category] += b.bytes }
        let baseline = total
        var best = total, bestEvent = -1, lastForward = -1
        var rows: [TimelineRow] = []
        rows.reserveCapacity(n)
        var starts: [(StepPhase, Double)] = []
        var phase = StepPhase.idle
        for i in 0..<n {
            let slot = Int(profile.scopeIDs[i]) * slots + Int(profile.categories[i])
            live[slot] += profile.bytes[i]
            total += profile.bytes[i]
            perCategory[Int(profile.categories[i])] += profile.bytes[i]
            if total > best { best = total; bestEvent = i }
            let p = StepPhase(rawValue: profile.phases[i]) ?? .idle
            if p == .forward { lastForward = i }
            let progress = Double(profile.nanoseconds[i]) / duration
            if p != phase { if i > 0 { starts.append((p, progress)) }; phase = p }
            rows.append(TimelineRow(
                variant: profile.variant.rawValue, event: i, timeMs: Double(profile.nanoseconds[i]) / 1e6,
                progress: progress, phase: p.description, scope: profile.scopeName(profile.scopeIDs[i]).description,
                category: (MemoryCategory(rawValue: Int(profile.categories[i])) ?? .activation).description,
                deltaBytes: profile.bytes[i], liveBytes: total, aboveBaselineBytes: total - baseline,
                parameterBytes: perCategory[MemoryCategory.parameter.rawValue],
                gradientBytes: perCategory[MemoryCategory.gradient.rawValue],
                optimizerStateBytes: perCategory[MemoryCategory.optimizerState.rawValue],
                activationBytes: perCategory[MemoryCategory.activation.rawValue],
                workspaceBytes: perCategory[MemoryCategory.workspace.rawValue]))
        }
        timeline = rows
        peakBytes = best
        baselineBytes = baseline
        peakEvent = bestEvent
        peakPhase = bestEvent >= 0 ? (StepPhase(rawValue: profile.phases[bestEvent]) ?? .idle) : .idle
        peakProgress = bestEvent >= 0 ? rows[bestEvent].progress : 0
        peakTimeMs = bestEvent >= 0 ? rows[bestEvent].timeMs : 0
        phaseStarts = starts
        peak = Self.rows(Self.live(profile, through: bestEvent), profile)
        endOfForward = Self.rows(Self.live(profile, through: lastForward), profile)
    }

    /// Live bytes per slot (scope * categories + category) before the first event.
    static func initialLive(_ profile: StepProfile) -> [Int] {
        let slots = Ledger.categoryCount
        let scopeCount = max(profile.scopes.count, Int(profile.scopeIDs.max() ?? 0) + 1,
                             Int(profile.before.map(\.scope).max() ?? 0) + 1)
        var live = [Int](repeating: 0, count: scopeCount * slots)
        for b in profile.before { live[Int(b.scope) * slots + b.category] += b.bytes }
        return live
    }

    /// Live bytes per slot after event `last` (-1: before the first).
    static func live(_ profile: StepProfile, through last: Int) -> [Int] {
        var live = initialLive(profile)
        let slots = Ledger.categoryCount
        if last >= 0 {
            for i in 0...last { live[Int(profile.scopeIDs[i]) * slots + Int(profile.categories[i])] += profile.bytes[i] }
        }
        return live
    }

    /// The non-zero slots as rows, largest first (ties in scope order, so the order is deterministic).
    static func rows(_ live: [Int], _ profile: StepProfile) -> [PeakRow] {
        let slots = Ledger.categoryCount
        var rows: [(Int, PeakRow)] = []
        for (slot, bytes) in live.enumerated() where bytes != 0 {
            let name = profile.scopeName(Int32(slot / slots))
            let category = MemoryCategory(rawValue: slot % slots) ?? .activation
            rows.append((slot, PeakRow(model: profile.configuration.model, depth: profile.configuration.depth,
                                       batch: profile.batch, variant: profile.variant.rawValue, region: name.region.rawValue, block: name.block,
                                       layer: name.layer.isEmpty ? nil : name.layer, role: name.role, scope: name.description,
                                       category: category.description, bytes: bytes)))
        }
        return rows.sorted { $0.1.bytes != $1.1.bytes ? $0.1.bytes > $1.1.bytes : $0.0 < $1.0 }.map(\.1)
    }

    /// The scope whose event reached the peak ("before the step" when the peak is the starting level).
    public var peakScope: String {
        peakEvent >= 0 ? timeline[peakEvent].scope : "before the step"
    }
}
