// How a reversible model's backward gets each block's activations: the reversible algorithm, or the
// store-everything reference (both Rev-ViT and Rev-MViT, and the reversible run they share).

/// How backward gets each block's activations.
public enum ReversibleBackprop: Sendable {
    /// Reconstruct block inputs from outputs and recompute F and G (the reversible algorithm).
    case recompute
    /// Keep every sublayer's saved tensors in forward, like a standard framework (debug and reference).
    case storeEverything
}
