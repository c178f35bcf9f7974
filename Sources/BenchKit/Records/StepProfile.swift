// What one profiled training step recorded, as the child hands it to the parent (one JSON value): the scope table,
// the live bytes per scope before the step, and every allocation and free of the step in order.
import Engine
import Models

/// One profiled step of one variant.
public struct StepProfile: Codable, Sendable {
    public var variant: Variant
    public var configuration: ModelConfiguration
    public var batch: Int
    /// The child's scope table: entry i is what scope id i names.
    public var scopes: [ScopeName]
    /// Live bytes per scope and category just before the step (zero entries left out).
    public var before: [ScopeBytes]
    /// The events of the step as parallel arrays (compact JSON): time since the step began, signed bytes, scope id,
    /// category raw value, phase raw value.
    public var nanoseconds: [UInt64]
    public var bytes: [Int]
    public var scopeIDs: [Int32]
    public var categories: [UInt8]
    public var phases: [UInt8]
    /// The ledger's own figures around the step: live total before it, peak total during it.
    public var ledgerBefore: Int
    public var ledgerPeak: Int
    /// Wall time of the profiled step.
    public var stepSeconds: Double
    /// CPU seconds (all threads) of unprofiled and profiled steps, alternating, when an overhead measurement was asked.
    public var overhead: ProfileOverhead?

    public var eventCount: Int { bytes.count }

    /// What scope id `id` names (unknown beyond the table).
    public func scopeName(_ id: Int32) -> ScopeName {
        Int(id) < scopes.count ? scopes[Int(id)] : ScopeName(region: .unknown, layer: "", role: "unknown")
    }
}
