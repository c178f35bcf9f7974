// Which attention core a model's blocks use: a setting of the model configuration.

/// Which attention core a model's blocks use (ViT's attention and MViT's pooling attention alike).
public enum AttentionKind: String, CaseIterable, Codable, Sendable {
    /// softmax(q k^T / sqrt(d)) v with the probabilities kept for backward (the paper's).
    case math
    /// The memory-efficient core: only each row's log-sum-exp is kept; backward recomputes the probabilities.
    case fused
}
