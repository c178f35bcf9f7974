// What a child measured over one request's steps, as raw figures: `RunRecord(request:measurement:)` turns them into
// the row's columns (rounded as the CSV stores them).
import Models

/// The figures of one measured run of one request, before they become a record.
public struct StepMeasurement: Sendable {
    /// Wall seconds of each timed step, in order.
    public var stepSeconds: [Double] = []
    /// Memory of the last timed step.
    public var memory = StepMemory()
    /// Process CPU seconds and wall seconds over the timed steps (contention evidence).
    public var cpuSeconds = 0.0, wallSeconds = 0.0
    /// Growth of jemalloc's resident bytes over the timed steps (nil when jemalloc cannot say).
    public var residentGrowthBytes: Int?
    public var peakRSSBytes: Int?
    /// The 1-minute load average when the child started.
    public var loadAverage: Double?
    /// Every step's loss, warm-up steps first.
    public var losses: [Float] = []
    /// The BLAS library and kernel this process used.
    public var blas: String?
    /// The memory model's peak for the request in this process (its attention lanes).
    public var predictedPeakBytes: Int?

    public init() {}
}
