// One row of timeline.csv (bench profile): the live bytes after one allocation or free of the profiled step.
import Foundation

/// The ledger after one event of one variant's profiled step.
public struct TimelineRow: CSVRecord, Sendable, Equatable {
    public var variant: String
    /// 0-based event number within the step.
    public var event: Int
    /// Milliseconds since the step began.
    public var timeMs: Double
    /// timeMs as a fraction of the step's duration (0...1).
    public var progress: Double
    public var phase: String
    /// The scope that allocated (or freed) and its category.
    public var scope: String
    public var category: String
    /// Bytes allocated (> 0) or freed (< 0) by this event.
    public var deltaBytes: Int
    /// Live ledger bytes after the event, all categories, and above the pre-step level.
    public var liveBytes: Int
    public var aboveBaselineBytes: Int
    public var parameterBytes: Int
    public var gradientBytes: Int
    public var optimizerStateBytes: Int
    public var activationBytes: Int
    public var workspaceBytes: Int

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case variant, event, timeMs = "time_ms", progress, phase, scope, category, deltaBytes = "delta_bytes"
        case liveBytes = "live_bytes", aboveBaselineBytes = "above_baseline_bytes", parameterBytes = "parameter_bytes"
        case gradientBytes = "gradient_bytes", optimizerStateBytes = "optimizer_state_bytes"
        case activationBytes = "activation_bytes", workspaceBytes = "workspace_bytes"
    }
    public static let columns = CodingKeys.allCases.map(\.rawValue)
}
