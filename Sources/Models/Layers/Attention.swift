// Multi-head self-attention: fused qkv projection, softmax(q k^T / sqrt(d)) v per head, output projection.
// Forward and backward side by side. Two attention cores over the same weights: "math" (the paper's: the
// (H, N, N) probabilities are kept for backward) and "fused" (FusedAttention: only each row's log-sum-exp is kept,
// the probabilities are recomputed in backward, as PyTorch's memory-efficient SDPA kernels do). The per-head matmuls read q, k, v straight out of the qkv buffer through
// BLAS leading dimensions (no copies, no transposes materialized).
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

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let b = x.shape[0], n = x.shape[1], c = width, h = heads, d = headDim
        let (qkvOut, qkvSaved) = qkv.forward(x)             // (B, N, 3C)
        if fused {
            let context = Tensor([b, n, c], zeroed: false)   // (B, N, C)
            let logSumExp = FusedAttention.forward(qkv: qkvOut, context: context, heads: h, scale: scale)
            let (y, projSaved) = proj.forward(context)
            return (y, Saved(qkvSaved: qkvSaved, qkv: qkvOut, probs: nil, logSumExp: logSumExp, projSaved: projSaved))
        }
        let probs = Tensor([b, h, n, n], zeroed: false)      // (B, H, N, N)
        let context = Tensor([b, n, c], zeroed: false)       // (B, N, C)
        let pq = qkvOut.data, pp = probs.data, pc = context.data
        for bi in 0..<b {
            for hi in 0..<h {
                let q = pq + bi * n * 3 * c + hi * d, k = q + c
                let s = pp + (bi * h + hi) * n * n
                // S (N, N) = scale * Q (N, D) K^T (D, N)
                BLAS.gemm(transB: true, m: n, n: n, k: d, alpha: scale, a: q, lda: 3 * c, b: k, ldb: 3 * c,
                          c: s, ldc: n)
            }
        }
        Softmax.rowsInPlace(probs.data, rows: b * h * n, n: n)
        for bi in 0..<b {
            for hi in 0..<h {
                let v = pq + bi * n * 3 * c + 2 * c + hi * d
                let p = pp + (bi * h + hi) * n * n
                // O (N, D) = P (N, N) V (N, D), written into its head's columns of context
                BLAS.gemm(m: n, n: d, k: n, a: p, lda: n, b: v, ldb: 3 * c, c: pc + bi * n * c + hi * d, ldc: c)
            }
        }
        let (y, projSaved) = proj.forward(context)          // (B, N, C)
        return (y, Saved(qkvSaved: qkvSaved, qkv: qkvOut, probs: probs, logSumExp: nil, projSaved: projSaved))
    }

    /// Frees each saved tensor once used: the context with proj's backward, q k v and the probabilities after the
    /// per-head loop, the input with qkv's backward.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let b = dy.shape[0], n = dy.shape[1], c = width, h = heads, d = headDim
        let qkvSaved = saved.qkvSaved, qkvOut = saved.qkv, projSaved = saved.projSaved
        if fused {
            let logSumExp = saved.logSumExp!, context = projSaved.x   // the output O, read by the core's backward
            _ = consume saved
            let dContext = proj.backward(dy, consume projSaved)!   // (B, N, C)
            let dqkv = Tensor([b, n, 3 * c], zeroed: false)      // (B, N, 3C)
            FusedAttention.backward(dContext: dContext, qkv: qkvOut, context: context, logSumExp: logSumExp, dqkv: dqkv,
                                    heads: h, scale: scale)
            _ = consume qkvOut; _ = consume logSumExp; _ = consume context; _ = consume dContext
            return qkv.backward(dqkv, consume qkvSaved)!
        }
        let probs = saved.probs!
        _ = consume saved
        let dContext = proj.backward(dy, consume projSaved)!  // (B, N, C)
        let dqkv = Tensor([b, n, 3 * c], zeroed: false)     // (B, N, 3C)
        let dScores = Tensor([n, n], category: .workspace, zeroed: false)  // (N, N), reused per head
        let pq = qkvOut.data, pp = probs.data, pdc = dContext.data, pdq = dqkv.data, ps = dScores.data
        for bi in 0..<b {
            for hi in 0..<h {
                let q = pq + bi * n * 3 * c + hi * d, k = q + c, v = q + 2 * c
                let dq = pdq + bi * n * 3 * c + hi * d, dk = dq + c, dv = dq + 2 * c
                let p = pp + (bi * h + hi) * n * n
                let dO = pdc + bi * n * c + hi * d
                // dV (N, D) = P^T (N, N) dO (N, D)
                BLAS.gemm(transA: true, m: n, n: d, k: n, a: p, lda: n, b: dO, ldb: c, c: dv, ldc: 3 * c)
                // dP (N, N) = dO (N, D) V^T (D, N)
                BLAS.gemm(transB: true, m: n, n: n, k: d, a: dO, lda: c, b: v, ldb: 3 * c, c: ps, ldc: n)
                // dS = P * (dP - rowsum(dP * P))
                Softmax.backwardRowsInPlace(probs: p, grad: ps, rows: n, n: n)
                // dQ (N, D) = scale * dS (N, N) K (N, D);  dK (N, D) = scale * dS^T Q
                BLAS.gemm(m: n, n: d, k: n, alpha: scale, a: ps, lda: n, b: k, ldb: 3 * c, c: dq, ldc: 3 * c)
                BLAS.gemm(transA: true, m: n, n: d, k: n, alpha: scale, a: ps, lda: n, b: q, ldb: 3 * c,
                          c: dk, ldc: 3 * c)
            }
        }
        _ = consume qkvOut; _ = consume probs; _ = consume dContext; _ = consume dScores
        return qkv.backward(dqkv, consume qkvSaved)!         // (B, N, C)
    }
}

/// Row softmax and its backward, on raw rows.
public enum Softmax {
    /// Each of `rows` rows of length n becomes softmax(row).
    public static func rowsInPlace(_ p: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        Parallel.forChunks(rows, grain: 32) { range in
            for r in range {
                let row = p + r * n
                let mx = Vector.max(row, n)
                for j in 0..<n { row[j] = FastMath.exp(row[j] - mx) }
                let inv = 1 / Vector.sum(row, n)
                for j in 0..<n { row[j] *= inv }
            }
        }
    }

    /// grad <- probs * (grad - sum(grad * probs)) per row (grad holds dL/dprobs on entry).
    public static func backwardRowsInPlace(probs: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        Parallel.forChunks(rows, grain: 32) { range in
            for r in range {
                let p = probs + r * n, g = grad + r * n
                let dot = Vector.dot(g, p, n)
                for j in 0..<n { g[j] = p[j] * (g[j] - dot) }
            }
        }
    }
}
