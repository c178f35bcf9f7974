// One allocation or free as the profiler records it: only while the ledger is recording (bench profile), never in
// measured runs.

/// An allocation (positive bytes) or free (negative bytes), with its scope, category, step phase and time.
public struct LedgerEvent: Sendable, Equatable {
    /// Nanoseconds since recording started.
    public var nanoseconds: UInt64
    /// Bytes allocated (> 0) or freed (< 0), as the ledger counts them (count * 4).
    public var bytes: Int
    public var scope: ScopeID
    public var category: MemoryCategory
    public var phase: StepPhase
}
