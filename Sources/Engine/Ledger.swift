// The byte ledger: every tensor allocation and free reports here, by category, so memory figures are exact.
// Tensors are allocated on the calling thread only (elementwise workers never allocate), so the ledger needs no lock.

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

    public init() {}

    /// Records an allocation of `bytes` in `category`, raising peaks where exceeded.
    public func recordAllocation(_ bytes: Int, _ category: MemoryCategory, allocated: Int) {
        liveAllocated += allocated
        if liveAllocated > peakAllocated { peakAllocated = liveAllocated }
        recordAllocation(bytes, category)
    }

    /// Records that `bytes` of `category` (rounded by the allocator to `allocated`) were freed.
    public func recordFree(_ bytes: Int, _ category: MemoryCategory, allocated: Int) {
        liveAllocated -= allocated
        recordFree(bytes, category)
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
