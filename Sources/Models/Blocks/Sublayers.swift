// The two sublayers every ViT block is made of, shared by the standard, checkpointed and reversible twins so
// parameters and MACs match exactly: F(x) = Attn(LN(x)) and G(x) = MLP(LN(x)), without inner residuals.
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

/// G(x) = MLP(norm2(x)).
public final class MLPSublayer: ParameterOwner {
    public let norm: LayerNorm  // norm2
    public let mlp: MLP

    public init(_ prefix: String, width: Int, hidden: Int) {
        norm = LayerNorm(qualified(prefix, "norm2"), width)
        mlp = MLP(qualified(prefix, "mlp"), width: width, hidden: hidden)
    }

    public var parameters: [Parameter] { norm.parameters + mlp.parameters }

    public struct Saved {
        public let normSaved: LayerNorm.Saved  // x (B, N, C)
        public let mlpSaved: MLP.Saved
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let (h, s1) = norm.forward(x)
        let (y, s2) = mlp.forward(h)
        return (y, Saved(normSaved: s1, mlpSaved: s2))
    }

    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let normSaved = saved.normSaved, mlpSaved = saved.mlpSaved
        _ = consume saved
        return norm.backward(mlp.backward(dy, consume mlpSaved), consume normSaved)
    }
}

/// Stochastic depth: each sample's branch output is dropped with probability `rate`, kept ones scaled by
/// 1 / (1 - rate). The per-sample multipliers are drawn once per forward and stored, so a recompute replays them.
public enum DropPath {
    /// Per-sample multipliers (0 or 1/(1-rate)), or nil when nothing is dropped (rate 0).
    public static func draw(batch: Int, rate: Float, rng: inout SeededRNG) -> [Float]? {
        guard rate > 0 else { return nil }
        let keep = 1 - rate
        return (0..<batch).map { _ in rng.uniform() < keep ? 1 / keep : 0 }
    }

    /// x (B, ...) *= mask[b] per sample, in place.
    public static func apply(_ x: Tensor, _ mask: [Float]?) {
        guard let mask else { return }
        let per = x.count / mask.count
        for b in 0..<mask.count {
            let p = x.data + b * per, m = mask[b]
            for i in 0..<per { p[i] *= m }
        }
    }

    /// A masked copy of dy (dy itself when there is no mask); dy stays untouched because the residual needs it.
    public static func backward(_ dy: Tensor, _ mask: [Float]?) -> Tensor {
        guard mask != nil else { return dy }
        let d = dy.copy()
        apply(d, mask)
        return d
    }
}
