// Multi-head self-attention: fused qkv projection, softmax(q k^T / sqrt(d)) v per head, output projection.
// Forward and backward side by side. Two attention cores over the same weights: MathAttention (the paper's: the
// (H, N, N) probabilities are kept for backward) and FusedAttention (only each row's log-sum-exp is kept, the
// probabilities are recomputed in backward, as PyTorch's memory-efficient SDPA kernels do). Both read q, k, v
// straight out of the qkv buffer through BLAS leading dimensions (no copies, no transposes materialized).
// Dimensions: B = batch, N = tokens, C = width, H = heads, D = C / H head dim.
import Engine

/// Self-attention with PyTorch/timm's parameter layout: qkv (3C, C) + bias, proj (C, C) + bias.
public final class MultiHeadAttention: ParameterOwner {
    public let qkv: Linear   // C -> 3C, rows [q; k; v], heads contiguous within each
    public let proj: Linear  // C -> C
    public let width: Int, heads: Int, headDim: Int
    /// The core: math (keeps the probabilities) or fused (memory-efficient).
    public let attention: AttentionKind
    let scopes: LayerScopes
    /// The context (proj's saved input), the core's kept state (probabilities or log-sum-exps, and the forward
    /// workspace), the core's backward workspace, and the qkv gradient.
    let contextScope: ScopeID, coreScope: ScopeID, coreBackwardScope: ScopeID, qkvGradientScope: ScopeID

    public init(_ name: String, width: Int, heads: Int, attention: AttentionKind = .math) {
        self.attention = attention
        precondition(width % heads == 0, "width \(width) is not divisible by heads \(heads)")
        self.width = width
        self.heads = heads
        headDim = width / heads
        qkv = Linear(qualified(name, "qkv"), width, 3 * width)
        proj = Linear(qualified(name, "proj"), width, width)
        scopes = LayerScopes(name)
        contextScope = scopes.role("context")
        coreScope = scopes.role(attention == .math ? "probabilities" : "log-sum-exp")
        coreBackwardScope = scopes.role("score gradients")
        qkvGradientScope = scopes.role("qkv gradient")
    }

    public var parameters: [Parameter] { qkv.parameters + proj.parameters }

    /// What backward needs, as a standard framework keeps it.
    public struct Saved {
        public let qkvSaved: Linear.Saved  // x (B, N, C)
        public let qkv: Tensor             // (B, N, 3C)
        public let core: AttentionState    // (B * H, N, N) probabilities (math) or (B * H, N) log-sum-exps (fused)
        public let projSaved: Linear.Saved // context (B, N, C)
    }

    /// The operands of the core: q, k and v inside the (B, N, 3C) qkv buffer, one (N, D) matrix per head and image.
    func operands(_ qkvOut: Tensor) -> AttentionOperands {
        let b = qkvOut.shape[0], n = qkvOut.shape[1]
        return AttentionOperands(groups: b * heads, queries: n, keys: n, headDim: headDim,
                                 q: .columns(qkvOut, heads: heads, headDim: headDim),
                                 k: .columns(qkvOut, heads: heads, headDim: headDim, column: width),
                                 v: .columns(qkvOut, heads: heads, headDim: headDim, column: 2 * width))
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.forward)
        defer { Scopes.leave(outer) }
        let b = x.shape[0], n = x.shape[1], c = width
        let (qkvOut, qkvSaved) = qkv.forward(x)                 // (B, N, 3C)
        let context = Tensor([b, n, c], zeroed: false, scope: contextScope)  // (B, N, C)
        let core = Scopes.within(coreScope) { AttentionCore.forward(attention, operands(qkvOut), output: context) }
        let (y, projSaved) = proj.forward(context)              // (B, N, C)
        return (y, Saved(qkvSaved: qkvSaved, qkv: qkvOut, core: core, projSaved: projSaved))
    }

    /// Frees each saved tensor once used: the context with proj's backward (the fused core's state keeps it until
    /// the core's backward, which reads the output), q k v and the probabilities or log-sum-exps after the core, the input with qkv's backward.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let b = dy.shape[0], n = dy.shape[1], c = width
        let qkvSaved = saved.qkvSaved, qkvOut = saved.qkv, projSaved = saved.projSaved, core = saved.core
        _ = consume saved
        let outer = Scopes.enter(scopes.backward)
        defer { Scopes.leave(outer) }
        let dContext = proj.backward(dy, consume projSaved)!    // (B, N, C)
        let dqkv = Tensor([b, n, 3 * c], zeroed: false, scope: qkvGradientScope)  // (B, N, 3C)
        let d = operands(dqkv)
        let coreOuter = Scopes.enter(coreBackwardScope)
        AttentionCore.backward(consume core, operands(qkvOut), dOutput: dContext, dq: d.q, dk: d.k, dv: d.v)
        Scopes.leave(coreOuter)
        _ = consume qkvOut; _ = consume dContext
        return qkv.backward(dqkv, consume qkvSaved)!            // (B, N, C)
    }
}

