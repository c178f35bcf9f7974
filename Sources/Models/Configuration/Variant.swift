// How a model backpropagates, and what that costs in passes over the blocks.

/// How a model backpropagates. Standard and checkpointed share the standard architecture; reversible uses the
/// two-stream twin built from the same sublayers.
public enum Variant: String, CaseIterable, Codable, Sendable {
    /// Stores every block's saved tensors (what an autograd framework keeps).
    case standard
    /// Two streams; keeps only the final streams and reconstructs block inputs in backward.
    case reversible
    /// Standard architecture; keeps only each block's input and recomputes the block in backward.
    case checkpointed

    /// Forward-equivalent passes of one training step: forward + backward (2 forwards' worth) = 3, plus one
    /// recomputing forward for reversible and checkpointed = 4. Achieved GFLOP/s and ETAs count MACs with it.
    public var passesPerStep: Int { self == .standard ? 3 : 4 }
}
