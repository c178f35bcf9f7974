// The byte ledger: every tensor allocation and free reports here, by category and scope, so memory figures are exact.
// Tensors are allocated on the calling thread only (elementwise workers never allocate), so the ledger needs no lock.
// Live bytes per (scope, category) are plain array increments; events are recorded only while `recording` is on.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a block of tensor memory is for; the ledger keeps live and peak bytes for each.
public enum MemoryCategory: Int, CaseIterable, Sendable, CustomStringConvertible {
    case parameter, gradient, optimizerState, activation, workspace

    public var description: String {
        switch self {
        case .parameter: return "parameter"
        case .gradient: return "gradient"
        case .optimizerState: return "optimizer_state"
        case .activation: return "activation"
        case .workspace: return "workspace"
        }
    }
}

/// Live and peak bytes per memory category, and in total.
public final class Ledger: @unchecked Sendable {
    /// The process-wide ledger that every `Storage` reports to.
    public static let shared = Ledger()

    public private(set) var liveBytes = [Int](repeating: 0, count: MemoryCategory.allCases.count)
    public private(set) var peakBytes = [Int](repeating: 0, count: MemoryCategory.allCases.count)
    public private(set) var liveTotal = 0
    public private(set) var peakTotal = 0
    /// Live and peak bytes as the allocator rounded them (malloc_usable_size: jemalloc's size classes), all
    /// categories together. What jemalloc's own counters should agree with.
    public private(set) var liveAllocated = 0
    public private(set) var peakAllocated = 0
    /// Number of allocations recorded since creation (a cheap way to spot allocation in hot loops).
    public private(set) var allocationCount = 0
    /// Live bytes per scope and category, at index scope * categoryCount + category (grown as scopes appear).
    public private(set) var liveByScope: [Int] = []
    /// The step phase allocations are stamped with while recording; models set it as they go. While recording,
    /// each change is itself an event of zero bytes (`Scopes.phaseBegins`): a phase that allocates nothing, such as
    /// the optimizer's in-place update, still shows where it begins, and the last event is the step's end.
    public var phase = StepPhase.idle {
        didSet { if recording && phase != oldValue { record(0, .activation, Scopes.phaseBegins) } }
    }
    /// Whether allocations and frees are appended to `events` (bench profile only).
    public private(set) var recording = false
    /// What was recorded since `startRecording`.
    public private(set) var events: [LedgerEvent] = []
    private var recordingStart: UInt64 = 0
    /// Categories per scope in `liveByScope`.
    public static let categoryCount = MemoryCategory.allCases.count

    public init() {}

    /// Records an allocation of `bytes` in `category` made in `scope`, raising peaks where exceeded.
    public func recordAllocation(_ bytes: Int, _ category: MemoryCategory, allocated: Int, scope: ScopeID = .unknown) {
        liveAllocated += allocated
        if liveAllocated > peakAllocated { peakAllocated = liveAllocated }
        recordAllocation(bytes, category)
        let slot = scope.index &* Self.categoryCount &+ category.rawValue
        if slot >= liveByScope.count { growScopes(to: slot) }
        liveByScope[slot] += bytes
        if recording { record(bytes, category, scope) }
    }

    /// Records that `bytes` of `category` made in `scope` (rounded by the allocator to `allocated`) were freed.
    public func recordFree(_ bytes: Int, _ category: MemoryCategory, allocated: Int, scope: ScopeID = .unknown) {
        liveAllocated -= allocated
        recordFree(bytes, category)
        liveByScope[scope.index &* Self.categoryCount &+ category.rawValue] -= bytes
        if recording { record(-bytes, category, scope) }
    }

    /// Makes room for scope slots up to `slot` (rare: once per newly registered scope that allocates).
    private func growScopes(to slot: Int) {
        let target = max(slot + 1, liveByScope.count * 2, 64 * Self.categoryCount)
        liveByScope.append(contentsOf: repeatElement(0, count: target - liveByScope.count))
    }

    /// Live bytes of `scope` in `category`.
    public func live(_ scope: ScopeID, _ category: MemoryCategory) -> Int {
        let slot = scope.index * Self.categoryCount + category.rawValue
        return slot < liveByScope.count ? liveByScope[slot] : 0
    }

    /// Starts appending every allocation and free to `events` (clearing what was there), `capacity` reserved.
    public func startRecording(capacity: Int = 1 << 16) {
        events = []
        events.reserveCapacity(capacity)
        recordingStart = Self.nanoseconds()
        recording = true
    }

    /// Stops recording and hands the events over.
    public func stopRecording() -> [LedgerEvent] {
        recording = false
        defer { events = [] }
        return events
    }

    private func record(_ bytes: Int, _ category: MemoryCategory, _ scope: ScopeID) {
        events.append(LedgerEvent(nanoseconds: Self.nanoseconds() &- recordingStart, bytes: bytes, scope: scope,
                                  category: category, phase: phase))
    }

    /// The monotonic clock in nanoseconds.
    static func nanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// Records an allocation of `bytes` in `category`, raising peaks where exceeded.
    public func recordAllocation(_ bytes: Int, _ category: MemoryCategory) {
        let i = category.rawValue
        liveBytes[i] += bytes
        if liveBytes[i] > peakBytes[i] { peakBytes[i] = liveBytes[i] }
        liveTotal += bytes
        if liveTotal > peakTotal { peakTotal = liveTotal }
        allocationCount += 1
    }

    /// Records that `bytes` of `category` were freed.
    public func recordFree(_ bytes: Int, _ category: MemoryCategory) {
        liveBytes[category.rawValue] -= bytes
        liveTotal -= bytes
    }

    /// Sets every peak to the current live value, so the next peak read covers only what follows.
    public func resetPeaks() {
        peakBytes = liveBytes
        peakTotal = liveTotal
        peakAllocated = liveAllocated
    }

    public func live(_ category: MemoryCategory) -> Int { liveBytes[category.rawValue] }
    public func peak(_ category: MemoryCategory) -> Int { peakBytes[category.rawValue] }

    /// A copy of the current figures.
    public func snapshot() -> LedgerSnapshot {
        LedgerSnapshot(live: liveBytes, peak: peakBytes, liveTotal: liveTotal, peakTotal: peakTotal)
    }
}

/// Ledger figures frozen at one moment.
public struct LedgerSnapshot: Sendable, Equatable {
    public var live: [Int]
    public var peak: [Int]
    public var liveTotal: Int
    public var peakTotal: Int
    public func live(_ c: MemoryCategory) -> Int { live[c.rawValue] }
    public func peak(_ c: MemoryCategory) -> Int { peak[c.rawValue] }
}
