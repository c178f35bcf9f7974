// Which architecture family a configuration builds (ViT or MViT).

/// Which architecture family a configuration builds.
public enum ModelFamily: String, Codable, Sendable {
    /// ViT / Rev-ViT: patch embedding, isotropic blocks.
    case vit
    /// MViT-B / Rev-MViT-B: 7x7 stride-4 stem, four stages with pooling attention. `patchSize` is the stem's
    /// stride (4), `width` and `heads` are stage 1's, `depth` counts all blocks (the long stage has depth - 5).
    case mvit
}
