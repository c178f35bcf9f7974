// MViT-B's MultiScaleBlock, forward and backward side by side:
//   x1 = skip(x) + Attn(norm1(x))           skip = MaxPool 3x3/2 (class token passes) where Q is pooled, else x
//   y  = skip2 + MLP(norm2(x1))             skip2 = Linear(C -> 2C)(norm2(x1)) where the MLP widens, else x1
// Dimensions: B = batch, N = cls + T*T tokens in, Nq = cls + S*S out, C = width, C' = out width.
import Engine

public final class MViTBlock: ParameterOwner {
    public let spec: MViTBlockSpec
    public let norm1: LayerNorm           // C
    public let attn: PoolingAttention     // C -> C
    public let norm2: LayerNorm           // C
    public let mlp: MLP                   // C -> 4C -> C'
    public let proj: Linear?              // C -> C' where C' != C
    public let scopes: BlockScopes
    /// The max-pooled skip and its argmax (Q-pooling blocks).
    let skipScope: ScopeID

    public init(_ prefix: String, _ spec: MViTBlockSpec, classToken: Bool = true) {
        self.spec = spec
        let c = spec.width
        norm1 = LayerNorm(qualified(prefix, "norm1"), c)
        attn = PoolingAttention(qualified(prefix, "attn"), inWidth: c, width: c, heads: spec.heads, qStride: spec.qStride,
                                kvStride: spec.kvStride, classToken: classToken, fusedQKV: true,
                                attention: spec.attention)
        norm2 = LayerNorm(qualified(prefix, "norm2"), c)
        mlp = MLP(qualified(prefix, "mlp"), width: c, hidden: 4 * c, out: spec.outWidth)
        proj = spec.outWidth != c ? Linear(qualified(prefix, "proj"), c, spec.outWidth) : nil
        scopes = BlockScopes(prefix)
        skipScope = scopes.layer.role("output, argmax", of: "pool_skip")
    }

    public var parameters: [Parameter] {
        norm1.parameters + attn.parameters + norm2.parameters + mlp.parameters + (proj?.parameters ?? [])
    }

    public struct Saved {
        let norm1Saved: LayerNorm.Saved      // x (B, N, C)
        let attnSaved: PoolingAttention.Saved
        let poolSaved: MaxPool.Saved?        // argmax (B, Nq, C)
        let norm2Saved: LayerNorm.Saved      // x1 (B, Nq, C)
        let mlpSaved: MLP.Saved              // norm2(x1) (B, Nq, C), hidden (B, Nq, 4C) twice
        let projSaved: Linear.Saved?         // norm2(x1), shared with the MLP's
        let masks: DropPathMasks
    }

    public func forward(_ x: Tensor, masks: DropPathMasks = .init()) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.layer.forward)
        defer { Scopes.leave(outer) }
        let (h1, n1) = norm1.forward(x)
        let (a, attnSaved) = attn.forward(h1, side: spec.side)
        DropPath.apply(a, masks.f)
        var poolSaved: MaxPool.Saved?
        let skip: Tensor
        if spec.qStride > 1 {
            let (p, s) = Scopes.within(skipScope) { MaxPool.forward(x, side: spec.side, classToken: attn.classToken) }
            skip = p; poolSaved = s
        } else { skip = x }
        let x1 = Scopes.within(scopes.residual) { Elementwise.add(skip, a) }
        let (h2, n2) = norm2.forward(x1)
        let (m, mlpSaved) = mlp.forward(h2)
        DropPath.apply(m, masks.g)
        var projSaved: Linear.Saved?
        let y: Tensor
        if let proj {
            let (p, s) = proj.forward(h2); projSaved = s
            y = Scopes.within(scopes.output) { Elementwise.add(p, m) }
        } else { y = Scopes.within(scopes.output) { Elementwise.add(x1, m) } }
        return (y, Saved(norm1Saved: n1, attnSaved: attnSaved, poolSaved: poolSaved, norm2Saved: n2, mlpSaved: mlpSaved,
                         projSaved: projSaved, masks: masks))
    }

    /// Takes dy and the saved tensors over and frees each as soon as it is used, as autograd does.
    public func backward(_ dy: consuming Tensor, _ saved: consuming Saved) -> Tensor {
        let norm1Saved = saved.norm1Saved, attnSaved = saved.attnSaved, poolSaved = saved.poolSaved
        let norm2Saved = saved.norm2Saved, mlpSaved = saved.mlpSaved, projSaved = saved.projSaved, masks = saved.masks
        _ = consume saved
        let outer = Scopes.enter(scopes.layer.backward)
        defer { Scopes.leave(outer) }
        let dh2 = mlp.backward(DropPath.backward(dy, masks.g), consume mlpSaved)
        if let proj { Elementwise.accumulate(dh2, proj.backward(dy, projSaved!)!) }
        _ = consume projSaved
        let dx1 = norm2.backward(dh2, consume norm2Saved)
        _ = consume dh2
        if proj == nil { Elementwise.accumulate(dx1, dy) }
        _ = consume dy
        let dx = norm1.backward(attn.backward(DropPath.backward(dx1, masks.f), consume attnSaved), consume norm1Saved)
        if let poolSaved {
            Elementwise.accumulate(dx, MaxPool.backward(dx1, poolSaved))
        } else {
            Elementwise.accumulate(dx, dx1)
        }
        return dx
    }
}
