// F, the attention sublayer of every ViT block (G is MLPSublayer), shared by the standard, checkpointed and
// reversible twins so parameters and MACs match exactly: F(x) = Attn(LN(x)), without an inner residual.
// Dimensions: B = batch, N = tokens, C = width.
import Engine

/// F(x) = Attn(norm1(x)).
public final class AttentionSublayer: ParameterOwner {
    public let norm: LayerNorm             // norm1
    public let attn: MultiHeadAttention

    public init(_ prefix: String, width: Int, heads: Int, attention: AttentionKind = .math) {
        norm = LayerNorm(qualified(prefix, "norm1"), width)
        attn = MultiHeadAttention(qualified(prefix, "attn"), width: width, heads: heads, attention: attention)
    }

    public var parameters: [Parameter] { norm.parameters + attn.parameters }

    public struct Saved {
        public let normSaved: LayerNorm.Saved        // x (B, N, C)
        public let attnSaved: MultiHeadAttention.Saved
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let (h, s1) = norm.forward(x)
        let (y, s2) = attn.forward(h)
        return (y, Saved(normSaved: s1, attnSaved: s2))
    }

    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let normSaved = saved.normSaved, attnSaved = saved.attnSaved
        _ = consume saved
        return norm.backward(attn.backward(dy, consume attnSaved), consume normSaved)
    }
}
