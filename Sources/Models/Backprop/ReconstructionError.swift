// How well a reversible block's inputs were rebuilt in backward: the figures bench stability records.
import Engine

/// How well one block's inputs were rebuilt by the inverse, against the forward's (the worse of the two streams).
public struct ReconstructionError: Sendable, Equatable {
    /// max |X_reconstructed - X_forward| / RMS(X_forward).
    public var maxRelative: Double
    /// RMS(X_reconstructed - X_forward) / RMS(X_forward).
    public var rmsRelative: Double
    /// max |X_forward| over both streams: the block's largest input activation.
    public var largestActivation: Double

    /// The statistics of one block from its reconstructed and forward streams.
    public init(reconstructed: (Tensor, Tensor), forward: (Tensor, Tensor)) {
        let s1 = Elementwise.differenceStatistics(reconstructed.0, reference: forward.0)
        let s2 = Elementwise.differenceStatistics(reconstructed.1, reference: forward.1)
        func relative(_ x: Double, _ ref: Double) -> Double { ref > 0 ? x / ref : x }
        maxRelative = max(relative(s1.maxAbs, s1.referenceRMS), relative(s2.maxAbs, s2.referenceRMS))
        rmsRelative = max(relative(s1.rms, s1.referenceRMS), relative(s2.rms, s2.referenceRMS))
        largestActivation = max(s1.referenceMaxAbs, s2.referenceMaxAbs)
    }
}
