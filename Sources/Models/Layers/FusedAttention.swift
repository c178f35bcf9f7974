// The memory-efficient attention core (FlashAttention's algorithm, tiled over queries for the CPU's caches),
// forward and backward side by side. Per (image, head), a block of Bq queries at a time: the scores of the block
// against all keys live only in a (Bq, N) workspace, are softmaxed there and multiplied by V; only the output and each
// row's log-sum-exp are kept. Backward recomputes each block's probabilities from Q, K and the log-sum-exp.
//   forward:  S = scale Q_b K^T;  L = logsumexp_rows(S);  O_b = exp(S - L) V
//   backward: P = exp(scale Q_b K^T - L);  dV += P^T dO_b;  dP = dO_b V^T;  D = rowsum(dO_b * O_b);
//             dS = P * (dP - D);  dQ_b = scale dS K;  dK += scale dS^T Q_b
// Dimensions: B = batch, N = tokens, C = width, H = heads, D = C / H head dim, Bq = query block rows.
// q, k and v are read in place out of the (B, N, 3C) qkv buffer; the output is written into its head's columns.
import Engine
#if canImport(Glibc)
import Glibc
#endif

public enum FusedAttention {
    /// Query rows per block: a (64, N) float block of scores stays in L2 for ViT's N (197 tokens: 50 KB).
    public static let queryBlock = 64

    /// Writes O into `context` (B, N, C) and returns the per-row log-sum-exp (B, H, N).
    public static func forward(qkv: Tensor, context: Tensor, heads h: Int, scale: Float) -> Tensor {
        let b = qkv.shape[0], n = qkv.shape[1], c = qkv.shape[2] / 3, d = c / h, bq = min(queryBlock, n)
        let logSumExp = Tensor([b, h, n], zeroed: false)                        // (B, H, N)
        let scores = Tensor([bq, n], category: .workspace, zeroed: false)       // (Bq, N), reused per block
        let pq = qkv.data, pc = context.data, ps = scores.data, pl = logSumExp.data
        for bi in 0..<b {
            for hi in 0..<h {
                let q = pq + bi * n * 3 * c + hi * d, k = q + c, v = q + 2 * c
                for q0 in stride(from: 0, to: n, by: bq) {
                    let rows = min(bq, n - q0)
                    // S (rows, N) = scale * Q_b (rows, D) K^T (D, N)
                    BLAS.gemm(transB: true, m: rows, n: n, k: d, alpha: scale, a: q + q0 * 3 * c, lda: 3 * c,
                              b: k, ldb: 3 * c, c: ps, ldc: n)
                    let lse = pl + (bi * h + hi) * n + q0
                    for r in 0..<rows {
                        let row = ps + r * n
                        let mx = Vector.max(row, n)
                        for j in 0..<n { row[j] = FastMath.exp(row[j] - mx) }
                        let sum = Vector.sum(row, n)
                        let inv = 1 / sum
                        for j in 0..<n { row[j] *= inv }
                        lse[r] = mx + log(sum)
                    }
                    // O_b (rows, D) = P (rows, N) V (N, D), into its head's columns of context
                    BLAS.gemm(m: rows, n: d, k: n, a: ps, lda: n, b: v, ldb: 3 * c,
                              c: pc + (bi * n + q0) * c + hi * d, ldc: c)
                }
            }
        }
        return logSumExp
    }

    /// Writes dq, dk, dv into `dqkv` (B, N, 3C) from dO (B, N, C), with q, k, v in `qkv`, O in `context`.
    public static func backward(dContext: Tensor, qkv: Tensor, context: Tensor, logSumExp: Tensor, dqkv: Tensor,
                                heads h: Int, scale: Float) {
        let b = qkv.shape[0], n = qkv.shape[1], c = qkv.shape[2] / 3, d = c / h, bq = min(queryBlock, n)
        let probs = Tensor([bq, n], category: .workspace, zeroed: false)       // (Bq, N) recomputed P
        let grads = Tensor([bq, n], category: .workspace, zeroed: false)       // (Bq, N) dP, then dS
        let pq = qkv.data, po = context.data, pdo = dContext.data, pd = dqkv.data
        let pp = probs.data, pg = grads.data, pl = logSumExp.data
        for bi in 0..<b {
            for hi in 0..<h {
                let q = pq + bi * n * 3 * c + hi * d, k = q + c, v = q + 2 * c
                let dq = pd + bi * n * 3 * c + hi * d, dk = dq + c, dv = dq + 2 * c
                for q0 in stride(from: 0, to: n, by: bq) {
                    let rows = min(bq, n - q0), first: Float = q0 == 0 ? 0 : 1
                    let qb = q + q0 * 3 * c
                    let dOb = pdo + (bi * n + q0) * c + hi * d, ob = po + (bi * n + q0) * c + hi * d
                    // P (rows, N) = exp(scale Q_b K^T - L)
                    BLAS.gemm(transB: true, m: rows, n: n, k: d, alpha: scale, a: qb, lda: 3 * c, b: k, ldb: 3 * c,
                              c: pp, ldc: n)
                    let lse = pl + (bi * h + hi) * n + q0
                    for r in 0..<rows {
                        let row = pp + r * n, l = lse[r]
                        for j in 0..<n { row[j] = FastMath.exp(row[j] - l) }
                    }
                    // dV (N, D) += P^T (N, rows) dO_b (rows, D)
                    BLAS.gemm(transA: true, m: n, n: d, k: rows, a: pp, lda: n, b: dOb, ldb: c, beta: first, c: dv, ldc: 3 * c)
                    // dP (rows, N) = dO_b (rows, D) V^T (D, N)
                    BLAS.gemm(transB: true, m: rows, n: n, k: d, a: dOb, lda: c, b: v, ldb: 3 * c, c: pg, ldc: n)
                    // dS = P * (dP - rowsum(dO_b * O_b))
                    for r in 0..<rows {
                        let dRow = Vector.dot(dOb + r * c, ob + r * c, d)
                        let p = pp + r * n, g = pg + r * n
                        for j in 0..<n { g[j] = p[j] * (g[j] - dRow) }
                    }
                    // dQ_b (rows, D) = scale dS K;  dK (N, D) += scale dS^T Q_b
                    BLAS.gemm(m: rows, n: d, k: n, alpha: scale, a: pg, lda: n, b: k, ldb: 3 * c,
                              c: dq + q0 * 3 * c, ldc: 3 * c)
                    BLAS.gemm(transA: true, m: n, n: d, k: rows, alpha: scale, a: pg, lda: n, b: qb, ldb: 3 * c,
                              beta: first, c: dk, ldc: 3 * c)
                }
            }
        }
    }
}
