// What an attention core keeps for its backward: the probabilities (math) or the log-sum-exps and the output (fused).
import Engine

/// What an attention core keeps for its backward.
public enum AttentionState {
    /// The (G, Nq, Nk) probabilities (MathAttention).
    case probabilities(Tensor)
    /// The (G, Nq) per-row log-sum-exps and the (B, Nq, H x D) output O that FusedAttention's backward reads (kept
    /// alive here, not copied: it is the tensor forward wrote).
    case logSumExp(Tensor, output: Tensor)
}
