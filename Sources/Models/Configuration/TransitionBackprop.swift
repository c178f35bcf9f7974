// How Rev-MViT's stage transitions backpropagate: a setting of the model configuration.

/// How a reversible model backpropagates through its non-reversible blocks (Rev-MViT's stage transitions).
public enum TransitionBackprop: String, CaseIterable, Codable, Sendable {
    /// Keep their saved tensors from forward to backward, as the paper's code does (plain autograd).
    case store
    /// Keep only each transition's input and recompute the transition in backward.
    case recompute
}
