// MViT's pooling attention: q, k, v Linear on all tokens, then each pooled by a depthwise 3x3 conv over the head
// dim (weights shared by heads) and LayerNorm(head dim), the class token skipping the conv but not the norm; then
// softmax(q k^T * D^-0.5) v per head (MathAttention, which keeps the probabilities, or FusedAttention, which keeps
// each row's log-sum-exp) and an output projection. Forward and backward side by side.
// Dimensions: B = batch, T = input grid side, N = cls + T*T input tokens, Nq / Nk = pooled token counts,
// C = width, H = heads, D = C / H head dim (96 in MViT-B), G = B * H grids.
import Engine

/// A pooling stage: depthwise 3x3 conv (stride s) + LayerNorm over D, for one of q, k, v (or Rev-MViT's residual).
public final class PoolStage: ParameterOwner {
    public let conv: DepthwisePool
    public let norm: LayerNorm

    public init(_ convName: String, _ normName: String, headDim: Int, stride: Int) {
        conv = DepthwisePool(convName, channels: headDim, stride: stride)
        norm = LayerNorm(normName, headDim)
    }

    public var parameters: [Parameter] { conv.parameters + norm.parameters }

    public struct Saved {
        public let normSaved: LayerNorm.Saved  // pooled tokens before the norm (G, Np, D)
    }

    /// Pools heads out of rows of width `rowStride` (head h at column offset `column + h*D`): input token i of batch
    /// b at base + (b*N + i) * rowStride. Returns (G, cls + S*S, D).
    public func forward(_ base: UnsafePointer<Float>, batch: Int, heads: Int, side t: Int, classToken: Bool,
                        rowStride: Int, column: Int) -> (Tensor, Saved) {
        let d = norm.features, cls = classToken ? 1 : 0, n = cls + t * t
        let layout = Self.layout(batch: batch, heads: heads, side: t, classToken: classToken, rowStride: rowStride,
                                 column: column, headDim: d, tokens: n)
        let spatial = conv.forward(base, layout)                        // (G, S*S, D)
        let s2 = spatial.shape[1], np = cls + s2, g = batch * heads
        let pooled = Tensor([g, np, d], zeroed: false)                  // (G, Np, D)
        for gi in 0..<g {
            let dst = pooled.data + gi * np * d
            if classToken {
                let b = gi / heads, h = gi % heads
                dst.update(from: base + b * n * rowStride + column + h * d, count: d)
            }
            (dst + cls * d).update(from: spatial.data + gi * s2 * d, count: s2 * d)
        }
        let (y, normSaved) = norm.forward(pooled)
        return (y, Saved(normSaved: normSaved))
    }

    /// Adds parameter gradients and the input gradient into `dBase` (same layout as the forward's input).
    public func backward(_ dy: Tensor, _ saved: consuming Saved, base: UnsafePointer<Float>, dBase: UnsafeMutablePointer<Float>,
                         batch: Int, heads: Int, side t: Int, classToken: Bool, rowStride: Int, column: Int) {
        let d = norm.features, cls = classToken ? 1 : 0, n = cls + t * t
        let normSaved = saved.normSaved
        _ = consume saved
        let dPooled = norm.backward(dy, consume normSaved)              // (G, Np, D)
        let g = batch * heads, np = dPooled.shape[1], s2 = np - cls
        let dSpatial = Tensor([g, s2, d], zeroed: false)
        for gi in 0..<g {
            let src = dPooled.data + gi * np * d
            if classToken {
                let b = gi / heads, h = gi % heads
                let dst = dBase + b * n * rowStride + column + h * d
                for c in 0..<d { dst[c] += src[c] }
            }
            (dSpatial.data + gi * s2 * d).update(from: src + cls * d, count: s2 * d)
        }
        let layout = Self.layout(batch: batch, heads: heads, side: t, classToken: classToken, rowStride: rowStride,
                                 column: column, headDim: d, tokens: n)
        conv.backward(dSpatial, input: base, dInput: dBase, layout)
    }

    static func layout(batch: Int, heads: Int, side: Int, classToken: Bool, rowStride: Int, column: Int,
                       headDim d: Int, tokens n: Int) -> DepthwisePool.Layout {
        let cls = classToken ? 1 : 0
        return DepthwisePool.Layout(grids: batch * heads, side: side, rowStride: rowStride) { g in
            (g / heads * n + cls) * rowStride + column + (g % heads) * d
        }
    }

    /// Side of the pooled grid.
    public func outputSide(_ t: Int) -> Int { conv.outputSide(t) }
}

/// Multi-head attention with pooled q (optional), k and v.
public final class PoolingAttention: ParameterOwner {
    public let qkv: Linear?                 // fused C_in -> 3C (MViT-B)
    public let q: Linear?, k: Linear?, v: Linear?  // separate C_in -> C (Rev-MViT-B)
    public let poolQ: PoolStage?, poolK: PoolStage, poolV: PoolStage
    public let proj: Linear
    public let width: Int, heads: Int, headDim: Int, classToken: Bool
    /// The core: math (keeps the probabilities) or fused (FusedAttention, memory-efficient).
    public let attention: AttentionKind

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
    }

    public var parameters: [Parameter] {
        (qkv?.parameters ?? (q!.parameters + k!.parameters + v!.parameters))
            + (poolQ?.parameters ?? []) + poolK.parameters + poolV.parameters + proj.parameters
    }

    /// Projections of one forward: the (B, N, 3C) fused buffer, or three (B, N, C) tensors.
    public struct Projections {
        let tensors: [Tensor]           // [qkv] or [q, k, v]
        let saved: [Linear.Saved]
        func base(_ i: Int) -> (UnsafeMutablePointer<Float>, rowStride: Int, column: Int) {
            tensors.count == 1 ? (tensors[0].data, tensors[0].lastDim, i * tensors[0].lastDim / 3)
                               : (tensors[i].data, tensors[i].lastDim, 0)
        }
    }

    public struct Saved {
        public let projections: Projections
        public let qPooled: Tensor?            // (G, Nq, D) normalized, when q is pooled
        public let qSaved: PoolStage.Saved?
        public let qHeads: Tensor?             // (G, N, D) copy of q per head, when q is not pooled
        public let kPooled: Tensor, vPooled: Tensor  // (G, Nk, D)
        public let kSaved: PoolStage.Saved, vSaved: PoolStage.Saved
        public let core: AttentionState        // (G, Nq, Nk) probabilities (math) or (G, Nq) log-sum-exps (fused)
        public let projSaved: Linear.Saved     // context (B, Nq, C)
        public let side: Int
    }

    /// The operands of the core: pooled (G, Nq, D) queries and (G, Nk, D) keys and values, one matrix per group.
    func operands(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> AttentionOperands {
        AttentionOperands(groups: q.shape[0], queries: q.shape[1], keys: k.shape[1], headDim: headDim,
                          q: .grouped(q, heads: heads), k: .grouped(k, heads: heads), v: .grouped(v, heads: heads))
    }

    /// Side of the output grid for input side t.
    public func outputSide(_ t: Int) -> Int { poolQ?.outputSide(t) ?? t }

    /// x (B, cls + T*T, C_in) -> (B, cls + S*S, C).
    public func forward(_ x: Tensor, side t: Int) -> (Tensor, Saved) {
        let b = x.shape[0], n = x.shape[1], h = heads, d = headDim, c = width, g = b * h
        let projections: Projections
        if let qkv {
            let (y, s) = qkv.forward(x); projections = Projections(tensors: [y], saved: [s])
        } else {
            let outs = [q!, k!, v!].map { $0.forward(x) }
            projections = Projections(tensors: outs.map(\.0), saved: outs.map(\.1))
        }
        func pool(_ stage: PoolStage, _ i: Int) -> (Tensor, PoolStage.Saved) {
            let (p, rs, col) = projections.base(i)
            return stage.forward(p, batch: b, heads: h, side: t, classToken: classToken, rowStride: rs, column: col)
        }
        var qPooled: Tensor?, qSaved: PoolStage.Saved?, qHeads: Tensor?
        if let poolQ { let r = pool(poolQ, 0); qPooled = r.0; qSaved = r.1 } else {
            let (p, rs, col) = projections.base(0)
            let heads = Tensor([g, n, d], zeroed: false)  // (G, N, D)
            for gi in 0..<g {
                for i in 0..<n { (heads.data + (gi * n + i) * d).update(from: p + (gi / h * n + i) * rs + col + (gi % h) * d, count: d) }
            }
            qHeads = heads
        }
        let (kPooled, kSaved) = pool(poolK, 1)
        let (vPooled, vSaved) = pool(poolV, 2)
        let qT = qPooled ?? qHeads!
        let nq = qT.shape[1]
        let context = Tensor([b, nq, c], zeroed: false)  // (B, Nq, C)
        let core = AttentionCore.forward(attention, operands(qT, kPooled, vPooled),
                                         out: .columns(context, heads: h, headDim: d))
        let (y, projSaved) = proj.forward(context)
        return (y, Saved(projections: projections, qPooled: qPooled, qSaved: qSaved, qHeads: qHeads, kPooled: kPooled,
                         vPooled: vPooled, kSaved: kSaved, vSaved: vSaved, core: core,
                         projSaved: projSaved, side: t))
    }

    /// Frees each saved tensor once used: the context with proj's backward (after the core, for fused: it reads the
    /// output), the core's state within its backward, pooled q, k, v after it, each pool's saved tensors with its backward, the input with the projections'.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let b = dy.shape[0], h = heads, d = headDim, g = b * h, t = saved.side
        let projections = saved.projections, qSaved = saved.qSaved, kSaved = saved.kSaved, vSaved = saved.vSaved
        let qT = saved.qPooled ?? saved.qHeads!, kPooled = saved.kPooled, vPooled = saved.vPooled
        let core = saved.core, projSaved = saved.projSaved
        _ = consume saved
        let context = attention == .fused ? projSaved.x : nil               // the output O, read by the fused core's backward
        let dContext = proj.backward(dy, consume projSaved)!
        let nq = qT.shape[1]
        let dQ = Tensor(qT.shape, zeroed: false), dK = Tensor(kPooled.shape, zeroed: false)
        let dV = Tensor(vPooled.shape, zeroed: false)
        let grads = operands(dQ, dK, dV)
        AttentionCore.backward(consume core, operands(qT, kPooled, vPooled), out: context.map { .columns($0, heads: h, headDim: d) },
                               dOut: .columns(dContext, heads: h, headDim: d), dq: grads.q, dk: grads.k, dv: grads.v)
        _ = consume context
        _ = consume qT; _ = consume kPooled; _ = consume vPooled; _ = consume dContext
        // Gradients of the projections, laid out like the projections (zeroed: pooling adds into them).
        let dProjections = projections.tensors.map { Tensor($0.shape) }
        let bases = (0..<3).map { i -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) in
            let (p, rs, col) = projections.base(i)
            return (p, (dProjections.count == 1 ? dProjections[0] : dProjections[i]).data, rs, col)
        }
        if let poolQ {
            let (p, dp, rs, col) = bases[0]
            poolQ.backward(dQ, qSaved!, base: p, dBase: dp, batch: b, heads: h, side: t, classToken: classToken, rowStride: rs, column: col)
        } else {
            let (_, dp, rs, col) = bases[0]
            let n = nq
            for gi in 0..<g {
                for i in 0..<n {
                    let dst = dp + (gi / h * n + i) * rs + col + (gi % h) * d, src = dQ.data + (gi * n + i) * d
                    for j in 0..<d { dst[j] += src[j] }
                }
            }
        }
        _ = consume dQ; _ = consume qSaved
        do {
            let (p, dp, rs, col) = bases[1]
            poolK.backward(dK, consume kSaved, base: p, dBase: dp, batch: b, heads: h, side: t, classToken: classToken, rowStride: rs, column: col)
        }
        _ = consume dK
        do {
            let (p, dp, rs, col) = bases[2]
            poolV.backward(dV, consume vSaved, base: p, dBase: dp, batch: b, heads: h, side: t, classToken: classToken, rowStride: rs, column: col)
        }
        _ = consume dV
        // The projections' outputs are not needed by their own backward (only their inputs are).
        let inputs = projections.saved
        _ = consume projections
        if let qkv { return qkv.backward(dProjections[0], inputs[0])! }
        let dx = q!.backward(dProjections[0], inputs[0])!
        Elementwise.accumulate(dx, k!.backward(dProjections[1], inputs[1])!)
        Elementwise.accumulate(dx, v!.backward(dProjections[2], inputs[2])!)
        return dx
    }
}
