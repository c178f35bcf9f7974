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
    public let scale: Float
    /// The memory-efficient core instead of the one that keeps the probabilities.
    public let fused: Bool

    public init(_ name: String, width: Int, heads: Int, fused: Bool = false) {
        self.fused = fused
        precondition(width % heads == 0, "width \(width) is not divisible by heads \(heads)")
        self.width = width
        self.heads = heads
        headDim = width / heads
        scale = 1 / Float(headDim).squareRoot()
        qkv = Linear(qualified(name, "qkv"), width, 3 * width)
        proj = Linear(qualified(name, "proj"), width, width)
    }

    public var parameters: [Parameter] { qkv.parameters + proj.parameters }

    /// What backward needs, as a standard framework keeps it.
    public struct Saved {
        public let qkvSaved: Linear.Saved  // x (B, N, C)
        public let qkv: Tensor             // (B, N, 3C)
        public let probs: Tensor?          // (B, H, N, N) softmax output (math)
        public let logSumExp: Tensor?      // (B, H, N) per-row log-sum-exp (fused)
        public let projSaved: Linear.Saved // context (B, N, C)
    }

    /// Views of q, k and v inside the (B, N, 3C) qkv buffer (or their gradients in dqkv), one matrix per head.
    func headViews(_ t: Tensor) -> (q: HeadMatrix, k: HeadMatrix, v: HeadMatrix) {
        (.columns(t, heads: heads, headDim: headDim), .columns(t, heads: heads, headDim: headDim, column: width),
         .columns(t, heads: heads, headDim: headDim, column: 2 * width))
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let b = x.shape[0], n = x.shape[1], c = width, h = heads, d = headDim
        let (qkvOut, qkvSaved) = qkv.forward(x)                 // (B, N, 3C)
        let context = Tensor([b, n, c], zeroed: false)          // (B, N, C)
        let (q, k, v) = headViews(qkvOut), out = HeadMatrix.columns(context, heads: h, headDim: d)
        var probs: Tensor?, logSumExp: Tensor?
        if fused {
            logSumExp = FusedAttention.forward(groups: b * h, queries: n, keys: n, headDim: d, scale: scale,
                                               q: q, k: k, v: v, out: out)     // (B * H, N)
        } else {
            probs = MathAttention.forward(groups: b * h, queries: n, keys: n, headDim: d, scale: scale,
                                          q: q, k: k, v: v, out: out)          // (B * H, N, N)
        }
        let (y, projSaved) = proj.forward(context)              // (B, N, C)
        return (y, Saved(qkvSaved: qkvSaved, qkv: qkvOut, probs: probs, logSumExp: logSumExp, projSaved: projSaved))
    }

    /// Frees each saved tensor once used: the context with proj's backward (after the core, for fused: it reads the
    /// output), q k v and the probabilities or log-sum-exps after the core, the input with qkv's backward.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let b = dy.shape[0], n = dy.shape[1], c = width, h = heads, d = headDim
        let qkvSaved = saved.qkvSaved, qkvOut = saved.qkv, projSaved = saved.projSaved
        let probs = saved.probs, logSumExp = saved.logSumExp
        _ = consume saved
        let context = fused ? projSaved.x : nil                 // the output O, read by the fused core's backward
        let dContext = proj.backward(dy, consume projSaved)!    // (B, N, C)
        let dqkv = Tensor([b, n, 3 * c], zeroed: false)         // (B, N, 3C)
        let (q, k, v) = headViews(qkvOut), (dq, dk, dv) = headViews(dqkv)
        let dOut = HeadMatrix.columns(dContext, heads: h, headDim: d)
        if let logSumExp, let context {
            FusedAttention.backward(groups: b * h, queries: n, keys: n, headDim: d, scale: scale, q: q, k: k, v: v,
                                    out: .columns(context, heads: h, headDim: d), dOut: dOut, logSumExp: logSumExp,
                                    dq: dq, dk: dk, dv: dv)
        } else {
            MathAttention.backward(groups: b * h, queries: n, keys: n, headDim: d, scale: scale, q: q, k: k, v: v,
                                   dOut: dOut, probs: probs!, dq: dq, dk: dk, dv: dv)
        }
        _ = consume qkvOut; _ = consume probs; _ = consume logSumExp; _ = consume context; _ = consume dContext
        return qkv.backward(dqkv, consume qkvSaved)!            // (B, N, C)
    }
}

