// The scopes a block names for what it allocates itself (residual sums, its output, the reversible streams, the
// inputs backward rebuilds), beside those of its layers; shared by the standard, checkpointed and reversible runs.
import Engine

/// The block-level scopes of block "blocks.N".
public struct BlockScopes {
    /// The block's own unnamed forward and backward allocations (drop-path copies of gradients).
    public let layer: LayerScopes
    /// x1 = x + F(x) of a standard block (the MLP sublayer's input).
    public let residual: ScopeID
    /// y, the block's output: the next block's input (saved by its first LayerNorm).
    public let output: ScopeID
    /// Y1 and Y2, a reversible block's output streams.
    public let stream1: ScopeID, stream2: ScopeID
    /// X1 and X2 rebuilt from the outputs in a reversible backward.
    public let reconstructed: ScopeID
    /// The concatenated streams a Rev-MViT stage transition takes in.
    public let input: ScopeID

    public init(_ prefix: String) {
        layer = LayerScopes(prefix)
        residual = layer.role("residual x1")
        output = layer.role("output")
        stream1 = layer.role("stream Y1")
        stream2 = layer.role("stream Y2")
        reconstructed = layer.role("reconstructed inputs")
        input = layer.role("input (concatenated streams)")
    }
}
