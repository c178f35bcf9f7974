// MViT's pooling attention: q, k, v Linear on all tokens, then each pooled by a depthwise 3x3 conv over the head
// dim (weights shared by heads) and LayerNorm(head dim), the class token skipping the conv but not the norm; then
// softmax(q k^T * D^-0.5) v per head (MathAttention, which keeps the probabilities, or FusedAttention, which keeps
// each row's log-sum-exp) and an output projection. Forward and backward side by side.
// Dimensions: B = batch, T = input grid side, N = cls + T*T input tokens, Nq / Nk = pooled token counts,
// C = width, H = heads, D = C / H head dim (96 in MViT-B), G = B * H grids.
import Engine

/// Multi-head attention with pooled q (optional), k and v.
public final class PoolingAttention: ParameterOwner {
    public let qkv: Linear?                 // fused C_in -> 3C (MViT-B)
    public let q: Linear?, k: Linear?, v: Linear?  // separate C_in -> C (Rev-MViT-B)
    public let poolQ: PoolStage?, poolK: PoolStage, poolV: PoolStage
    public let proj: Linear
    public let width: Int, heads: Int, headDim: Int, classToken: Bool
    /// The core: math (keeps the probabilities) or fused (FusedAttention, memory-efficient).
    public let attention: AttentionKind
    let scopes: LayerScopes
    /// The context, the core's kept state, its backward workspace, the pooled q/k/v gradients and the projections'
    /// gradients.
    let contextScope: ScopeID, coreScope: ScopeID, coreBackwardScope: ScopeID
    let pooledGradientScope: ScopeID, projectionGradientScope: ScopeID

    public init(_ name: String, inWidth: Int, width: Int, heads: Int, qStride: Int, kvStride: Int,
                classToken: Bool, fusedQKV: Bool, attention: AttentionKind = .math) {
        precondition(width % heads == 0, "width \(width) is not divisible by heads \(heads)")
        self.width = width; self.heads = heads; headDim = width / heads; self.classToken = classToken
        self.attention = attention
        if fusedQKV {
            qkv = Linear(qualified(name, "qkv"), inWidth, 3 * width); q = nil; k = nil; v = nil
        } else {
            qkv = nil
            q = Linear(qualified(name, "q"), inWidth, width)
            k = Linear(qualified(name, "k"), inWidth, width)
            v = Linear(qualified(name, "v"), inWidth, width)
        }
        poolQ = qStride > 1 ? PoolStage(qualified(name, "pool_q"), qualified(name, "norm_q"), headDim: headDim, stride: qStride) : nil
        poolK = PoolStage(qualified(name, "pool_k"), qualified(name, "norm_k"), headDim: headDim, stride: kvStride)
        poolV = PoolStage(qualified(name, "pool_v"), qualified(name, "norm_v"), headDim: headDim, stride: kvStride)
        proj = Linear(qualified(name, "proj"), width, width)
        scopes = LayerScopes(name)
        contextScope = scopes.role("context")
        coreScope = scopes.role(attention == .math ? "probabilities" : "log-sum-exp")
        coreBackwardScope = scopes.role("score gradients")
        pooledGradientScope = scopes.role("pooled q, k, v gradients")
        projectionGradientScope = scopes.role("q, k, v gradients")
    }

    public var parameters: [Parameter] {
        (qkv?.parameters ?? (q!.parameters + k!.parameters + v!.parameters))
            + (poolQ?.parameters ?? []) + poolK.parameters + poolV.parameters + proj.parameters
    }

    /// Projections of one forward: the (B, N, 3C) fused buffer, or three (B, N, C) tensors.
    public struct Projections {
        let tensors: [Tensor]           // [qkv] or [q, k, v]
        let saved: [Linear.Saved]

        /// Projection i's (0 q, 1 k, 2 v) heads in `buffers`, laid out like the projections (the projections
        /// themselves or their gradients): one (N, D) matrix per group.
        static func view(_ i: Int, of buffers: [Tensor], heads: Int, headDim: Int) -> HeadMatrix {
            buffers.count == 1 ? .columns(buffers[0], heads: heads, headDim: headDim, column: i * buffers[0].lastDim / 3)
                               : .columns(buffers[i], heads: heads, headDim: headDim)
        }
    }

    public struct Saved {
        public let projections: Projections
        public let qPooled: Tensor?            // (G, Nq, D) normalized, when q is pooled
        public let qSaved: PoolStage.Saved?
        public let kPooled: Tensor, vPooled: Tensor  // (G, Nk, D)
        public let kSaved: PoolStage.Saved, vSaved: PoolStage.Saved
        public let core: AttentionState        // (G, Nq, Nk) probabilities (math) or (G, Nq) log-sum-exps (fused)
        public let projSaved: Linear.Saved     // context (B, Nq, C)
        public let side: Int
    }

    /// The operands of the core: Nq queries per group (the pooled (G, Nq, D) q, or unpooled q's columns in its
    /// projection, read in place as PyTorch reads a view), and pooled (G, Nk, D) keys and values.
    func operands(_ q: HeadMatrix, queries nq: Int, _ k: Tensor, _ v: Tensor) -> AttentionOperands {
        AttentionOperands(groups: k.shape[0], queries: nq, keys: k.shape[1], headDim: headDim,
                          q: q, k: .grouped(k, heads: heads), v: .grouped(v, heads: heads))
    }

    /// q as the core reads it: pooled (G, Nq, D), or unpooled (N, D) columns of each group's q projection.
    func query(_ qPooled: Tensor?, _ projections: [Tensor]) -> (HeadMatrix, queries: Int) {
        if let qPooled { return (.grouped(qPooled, heads: heads), qPooled.shape[1]) }
        return (Projections.view(0, of: projections, heads: heads, headDim: headDim), projections[0].shape[1])
    }

    /// Side of the output grid for input side t.
    public func outputSide(_ t: Int) -> Int { poolQ?.outputSide(t) ?? t }

    /// x (B, cls + T*T, C_in) -> (B, cls + S*S, C).
    public func forward(_ x: Tensor, side t: Int) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.forward)
        defer { Scopes.leave(outer) }
        let b = x.shape[0], h = heads, d = headDim, c = width
        let projections: Projections
        if let qkv {
            let (y, s) = qkv.forward(x); projections = Projections(tensors: [y], saved: [s])
        } else {
            let outs = [q!, k!, v!].map { $0.forward(x) }
            projections = Projections(tensors: outs.map(\.0), saved: outs.map(\.1))
        }
        func pool(_ stage: PoolStage, _ i: Int) -> (Tensor, PoolStage.Saved) {
            stage.forward(Projections.view(i, of: projections.tensors, heads: h, headDim: d), batch: b, side: t,
                          classToken: classToken)
        }
        var qPooled: Tensor?, qSaved: PoolStage.Saved?
        if let poolQ { let r = pool(poolQ, 0); qPooled = r.0; qSaved = r.1 }
        let (kPooled, kSaved) = pool(poolK, 1)
        let (vPooled, vSaved) = pool(poolV, 2)
        let (q, nq) = query(qPooled, projections.tensors)
        let context = Tensor([b, nq, c], zeroed: false, scope: contextScope)  // (B, Nq, C)
        let core = Scopes.within(coreScope) {
            AttentionCore.forward(attention, operands(q, queries: nq, kPooled, vPooled), output: context)
        }
        let (y, projSaved) = proj.forward(context)
        return (y, Saved(projections: projections, qPooled: qPooled, qSaved: qSaved, kPooled: kPooled,
                         vPooled: vPooled, kSaved: kSaved, vSaved: vSaved, core: core,
                         projSaved: projSaved, side: t))
    }

    /// Backward in four steps: the output projection, the attention core (to the pooled q, k, v, or for unpooled q
    /// straight into its projection's gradient), the pooling stages (into gradients laid out like the projections),
    /// the projections. Frees each saved tensor once used: the context with proj's backward (the fused core's state
    /// keeps it until the core's backward), pooled q, k, v after the core, their pool state with their backward, the
    /// input with the projections'.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let b = dy.shape[0], t = saved.side
        let projections = saved.projections, qSaved = saved.qSaved, kSaved = saved.kSaved, vSaved = saved.vSaved
        let qPooled = saved.qPooled, kPooled = saved.kPooled, vPooled = saved.vPooled
        let core = saved.core, projSaved = saved.projSaved
        _ = consume saved
        let outer = Scopes.enter(scopes.backward)
        defer { Scopes.leave(outer) }
        let dContext = proj.backward(dy, consume projSaved)!                  // (B, Nq, C)
        // Gradients of the projections, laid out like the projections (zeroed: pooling adds into them). The core
        // writes unpooled q's gradient into q's columns, so the tensor holding them (the fused qkv gradient, or q's
        // own) exists before its backward; the others wait until the core's state and the pooled operands are freed.
        func gradient(_ i: Int) -> Tensor { Tensor(projections.tensors[i].shape, scope: projectionGradientScope) }
        let dFirst = poolQ == nil ? gradient(0) : nil
        let (dQ, dK, dV) = coreBackward(consume core, q: consume qPooled, projections: projections.tensors,
                                        k: consume kPooled, v: consume vPooled, dContext: consume dContext,
                                        dqColumns: dFirst.map { Projections.view(0, of: [$0], heads: heads, headDim: headDim) })
        let dProjections = [dFirst ?? gradient(0)] + (1..<projections.tensors.count).map(gradient)
        let x = (0..<3).map { Projections.view($0, of: projections.tensors, heads: heads, headDim: headDim) }
        let dx = (0..<3).map { Projections.view($0, of: dProjections, heads: heads, headDim: headDim) }
        if let poolQ, let dQ {
            poolQ.backward(dQ, qSaved!, input: x[0], dInput: dx[0], batch: b, side: t, classToken: classToken)
        }
        _ = consume dQ; _ = consume qSaved
        poolK.backward(dK, consume kSaved, input: x[1], dInput: dx[1], batch: b, side: t, classToken: classToken)
        _ = consume dK
        poolV.backward(dV, consume vSaved, input: x[2], dInput: dx[2], batch: b, side: t, classToken: classToken)
        _ = consume dV
        // The projections' outputs are not needed by their own backward (only their inputs are).
        let inputs = projections.saved
        _ = consume projections
        return projectionsBackward(dProjections, inputs)
    }

    /// The core's backward: the (G, Nq, D) gradient of pooled q (for unpooled q, written into `dqColumns`, q's
    /// columns of its projection's gradient, and nil) and the (G, Nk, D) gradients of the pooled k and v. Frees the
    /// core's state, the pooled operands and the context gradient.
    func coreBackward(_ core: consuming AttentionState, q qPooled: consuming Tensor?, projections: [Tensor],
                      k: consuming Tensor, v: consuming Tensor, dContext: consuming Tensor,
                      dqColumns: HeadMatrix?) -> (Tensor?, Tensor, Tensor) {
        let (q, nq) = query(qPooled, projections)
        let dQ = qPooled.map { Tensor($0.shape, zeroed: false, scope: pooledGradientScope) }
        let dK = Tensor(k.shape, zeroed: false, scope: pooledGradientScope)
        let dV = Tensor(v.shape, zeroed: false, scope: pooledGradientScope)
        let dq = dQ.map { HeadMatrix.grouped($0, heads: heads) } ?? dqColumns!
        let coreOuter = Scopes.enter(coreBackwardScope)
        AttentionCore.backward(consume core, operands(q, queries: nq, k, v), dOutput: dContext,
                               dq: dq, dk: .grouped(dK, heads: heads), dv: .grouped(dV, heads: heads))
        Scopes.leave(coreOuter)
        _ = consume qPooled; _ = consume k; _ = consume v; _ = consume dContext
        return (dQ, dK, dV)
    }

    /// The projections' backward from their gradients: the input's gradient (B, N, C_in).
    func projectionsBackward(_ dProjections: [Tensor], _ inputs: [Linear.Saved]) -> Tensor {
        if let qkv { return qkv.backward(dProjections[0], inputs[0])! }
        let dx = q!.backward(dProjections[0], inputs[0])!
        Elementwise.accumulate(dx, k!.backward(dProjections[1], inputs[1])!)
        Elementwise.accumulate(dx, v!.backward(dProjections[2], inputs[2])!)
        return dx
    }
}
