// Rev-MViT's stage transition: the non-reversible block between reversible runs, forward and backward side by side.
// Blocks 1, 3, 14, one stream of width W = 2C (the concatenated streams) in and out:
//   x = x + MLP_{W -> 2W -> W}(x)              lateral fusion, no LayerNorm
//   y = PoolQ(x) + Attn(norm1(x))              Q pooled (stride 2); the residual pooled by the same conv + norm
//   y = y + MLP(norm2(y))                      W -> 4W -> W
// Dimensions: B = batch, T = input side, S = output side, W = transition width, H = heads.
import Engine

/// A non-reversible stage-transition block of Rev-MViT-B.
public final class RevMViTTransition: ParameterOwner {
    public let spec: MViTBlockSpec
    public let fuse: MLP                  // W -> 2W -> W
    public let norm1: LayerNorm           // W
    public let attn: PoolingAttention     // W -> W, Q pooled
    public let norm2: LayerNorm           // W
    public let mlp: MLP                   // W -> 4W -> W
    public let scopes: BlockScopes
    /// x + fuse(x) (norm1's saved input, pooled for the residual) and the residual's gradient regrouped per head.
    let fusedScope: ScopeID, residualGradientScope: ScopeID

    public init(_ prefix: String, _ spec: MViTBlockSpec) {
        self.spec = spec
        let w = spec.width
        fuse = MLP(qualified(prefix, "fuse"), width: w, hidden: 2 * w)
        norm1 = LayerNorm(qualified(prefix, "norm1"), w)
        attn = PoolingAttention(qualified(prefix, "attn"), inWidth: w, width: w, heads: spec.heads, qStride: spec.qStride,
                                kvStride: spec.kvStride, classToken: false, fusedQKV: false,
                                attention: spec.attention)
        norm2 = LayerNorm(qualified(prefix, "norm2"), w)
        mlp = MLP(qualified(prefix, "mlp"), width: w, hidden: 4 * w)
        scopes = BlockScopes(prefix)
        fusedScope = scopes.layer.role("output", of: "fuse")
        residualGradientScope = scopes.layer.role("pooled residual gradient")
    }

    public var parameters: [Parameter] {
        fuse.parameters + norm1.parameters + attn.parameters + norm2.parameters + mlp.parameters
    }

    public struct Saved {
        let fuseSaved: MLP.Saved                 // x (B, T*T, W)
        let fused: Tensor                        // x + fuse(x) (B, T*T, W), pooled for the residual
        let n1: LayerNorm.Saved
        let attnSaved: PoolingAttention.Saved
        let residualSaved: PoolStage.Saved       // pooled residual before its norm (G, S*S, D)
        let n2: LayerNorm.Saved                  // y1 (B, S*S, W)
        let mlpSaved: MLP.Saved
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.layer.forward)
        defer { Scopes.leave(outer) }
        let b = x.shape[0], w = spec.width, h = spec.heads, d = w / h
        let (m, fuseSaved) = fuse.forward(x)
        let fused = Scopes.within(fusedScope) { Elementwise.add(x, m) }          // (B, T*T, W)
        let (h1, n1) = norm1.forward(fused)
        let (a, attnSaved) = attn.forward(h1, side: spec.side)                  // (B, S*S, W)
        let (pooled, residualSaved) = attn.poolQ!.forward(.columns(fused, heads: h, headDim: d), batch: b, side: spec.side,
                                                          classToken: false)  // (G, S*S, D)
        let s2 = spec.outSide * spec.outSide
        let y1 = Tensor([b, s2, w], zeroed: false, scope: scopes.residual)       // (B, S*S, W)
        for gi in 0..<(b * h) {
            let bi = gi / h, hi = gi % h
            for t in 0..<s2 {
                let src = pooled.data + (gi * s2 + t) * d, dst = y1.data + (bi * s2 + t) * w + hi * d, ar = a.data + (bi * s2 + t) * w + hi * d
                for j in 0..<d { dst[j] = src[j] + ar[j] }
            }
        }
        let (h2, n2) = norm2.forward(y1)
        let (m2, mlpSaved) = mlp.forward(h2)
        let y = Scopes.within(scopes.output) { Elementwise.add(y1, m2) }
        return (y, Saved(fuseSaved: fuseSaved, fused: fused, n1: n1, attnSaved: attnSaved, residualSaved: residualSaved,
                         n2: n2, mlpSaved: mlpSaved))
    }

    /// Takes the saved tensors over and frees each as soon as it is used.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let b = dy.shape[0], w = spec.width, h = spec.heads, d = w / h, s2 = spec.outSide * spec.outSide
        let fuseSaved = saved.fuseSaved, fused = saved.fused, n1 = saved.n1, attnSaved = saved.attnSaved
        let residualSaved = saved.residualSaved, n2 = saved.n2, mlpSaved = saved.mlpSaved
        _ = consume saved
        let outer = Scopes.enter(scopes.layer.backward)
        defer { Scopes.leave(outer) }
        let dy1 = norm2.backward(mlp.backward(dy, consume mlpSaved), consume n2)
        Elementwise.accumulate(dy1, dy)                                          // (B, S*S, W)
        // Residual: regroup dy1 per head (G, S*S, D) and send it back through the shared pool.
        let dPooled = Tensor([b * h, s2, d], zeroed: false, scope: residualGradientScope)
        for gi in 0..<(b * h) {
            let bi = gi / h, hi = gi % h
            for t in 0..<s2 { (dPooled.data + (gi * s2 + t) * d).update(from: dy1.data + (bi * s2 + t) * w + hi * d, count: d) }
        }
        let dFused = norm1.backward(attn.backward(dy1, consume attnSaved), consume n1)  // (B, T*T, W)
        _ = consume dy1
        attn.poolQ!.backward(dPooled, consume residualSaved, input: .columns(fused, heads: h, headDim: d),
                             dInput: .columns(dFused, heads: h, headDim: d), batch: b, side: spec.side, classToken: false)
        _ = consume fused; _ = consume dPooled
        let dx = fuse.backward(dFused, consume fuseSaved)
        Elementwise.accumulate(dx, dFused)
        return dx
    }
}
