// MViT's pooling stage: a depthwise 3x3 conv (stride s) and a LayerNorm over the head dim, for one of q, k, v
// (or Rev-MViT's residual), reading each head through a HeadMatrix view. Forward and backward side by side.
import Engine

/// A pooling stage: depthwise 3x3 conv (stride s) + LayerNorm over D, for one of q, k, v (or Rev-MViT's residual).
public final class PoolStage: ParameterOwner {
    public let conv: DepthwisePool
    public let norm: LayerNorm
    let scopes: LayerScopes
    /// The pooled tokens before the norm (the norm's saved input) and their gradient.
    let pooledScope: ScopeID, pooledGradientScope: ScopeID

    public init(_ convName: String, _ normName: String, headDim: Int, stride: Int) {
        conv = DepthwisePool(convName, channels: headDim, stride: stride)
        norm = LayerNorm(normName, headDim)
        scopes = LayerScopes(convName)
        pooledScope = scopes.role("pooled tokens")
        pooledGradientScope = scopes.role("pooled tokens gradient")
    }

    public var parameters: [Parameter] { conv.parameters + norm.parameters }

    public struct Saved {
        public let normSaved: LayerNorm.Saved  // pooled tokens before the norm (G, Np, D)
    }

    /// Pools each head of `x` (one (cls + T*T, D) matrix per group g = (image, head), G = batch x heads).
    /// Returns (G, cls + S*S, D).
    public func forward(_ x: HeadMatrix, batch: Int, side t: Int, classToken: Bool) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.forward)
        defer { Scopes.leave(outer) }
        let d = norm.features, cls = classToken ? 1 : 0
        let spatial = conv.forward(x.base, Self.layout(x, batch: batch, side: t, classToken: classToken))  // (G, S*S, D)
        let s2 = spatial.shape[1], np = cls + s2, g = batch * x.heads
        let pooled = Tensor([g, np, d], zeroed: false, scope: pooledScope)  // (G, Np, D)
        for gi in 0..<g {
            let dst = pooled.data + gi * np * d
            if classToken { dst.update(from: x.group(gi), count: d) }
            (dst + cls * d).update(from: spatial.data + gi * s2 * d, count: s2 * d)
        }
        let (y, normSaved) = norm.forward(pooled)
        return (y, Saved(normSaved: normSaved))
    }

    /// Adds parameter gradients and the input gradient into `dx`, laid out like the forward's input `x`.
    public func backward(_ dy: Tensor, _ saved: consuming Saved, input x: HeadMatrix, dInput dx: HeadMatrix,
                         batch: Int, side t: Int, classToken: Bool) {
        let d = norm.features, cls = classToken ? 1 : 0
        let normSaved = saved.normSaved
        _ = consume saved
        let outer = Scopes.enter(scopes.backward)
        defer { Scopes.leave(outer) }
        let dPooled = norm.backward(dy, consume normSaved)              // (G, Np, D)
        let g = batch * x.heads, np = dPooled.shape[1], s2 = np - cls
        let dSpatial = Tensor([g, s2, d], zeroed: false, scope: pooledGradientScope)
        for gi in 0..<g {
            let src = dPooled.data + gi * np * d
            if classToken {
                let dst = dx.group(gi)
                for c in 0..<d { dst[c] += src[c] }
            }
            (dSpatial.data + gi * s2 * d).update(from: src + cls * d, count: s2 * d)
        }
        conv.backward(dSpatial, input: x.base, dInput: dx.base, Self.layout(x, batch: batch, side: t, classToken: classToken))
    }

    /// The conv's grids: each group's T*T spatial rows of `x` (after the class token). A gradient laid out like `x`
    /// has the same offsets.
    static func layout(_ x: HeadMatrix, batch: Int, side: Int, classToken: Bool) -> DepthwisePool.Layout {
        let cls = classToken ? 1 : 0
        return DepthwisePool.Layout(grids: batch * x.heads, side: side, rowStride: x.rowStride) { g in x.offset(g, row: cls) }
    }

    /// Side of the pooled grid.
    public func outputSide(_ t: Int) -> Int { conv.outputSide(t) }
}
