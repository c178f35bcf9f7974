// A predicted training step's memory: what is live before the step and what the step adds.

/// Byte-level prediction for one configuration.
public struct MemoryPrediction: Sendable {
    /// Parameters + gradients + optimizer state + the input batch: live before the step.
    public var baselineBytes: Int
    /// Peak activation and workspace bytes above the baseline during the step.
    public var stepBytes: Int
    public var peakBytes: Int { baselineBytes + stepBytes }
}
