// The memory-efficient attention core (FlashAttention's algorithm, tiled over queries for the CPU's caches),
// forward and backward side by side. Per group (image, head), a block of Bq queries at a time: the scores of the block
// against all keys live only in a (Bq, Nk) workspace, are softmaxed there and multiplied by V; only the output and
// each row's log-sum-exp are kept. Backward recomputes each block's probabilities from Q, K and the log-sum-exp.
//   forward:  S = scale Q_b K^T;  L = logsumexp_rows(S);  O_b = exp(S - L) V
//   backward: P = exp(scale Q_b K^T - L);  dV += P^T dO_b;  dP = dO_b V^T;  D = rowsum(dO_b * O_b);
//             dS = P * (dP - D);  dQ_b = scale dS K;  dK += scale dS^T Q_b
// Dimensions: G = groups (batch x heads), Nq = queries, Nk = keys, D = head dim, Bq = query block rows.
// Groups run in parallel lanes (AttentionLanes: one per core), each with its own workspace and single-threaded SGEMMs.
// ViT reads q, k, v in place out of its (B, N, 3C) qkv buffer and writes each head's columns of the (B, N, C) output;
// MViT's pooling attention reads its pooled (G, N, D) tensors (both through HeadMatrix views).
import Engine

public enum FusedAttention {
    /// Writes O into `out` and returns the per-row log-sum-exp (G, Nq).
    public static func forward(groups g: Int, queries nq: Int, keys nk: Int, headDim d: Int, scale: Float,
                               q: HeadMatrix, k: HeadMatrix, v: HeadMatrix, out: HeadMatrix) -> Tensor {
        let bq = AttentionWorkspace.queryBlock(queries: nq, keys: nk), lanes = AttentionLanes.count(groups: g)
        let logSumExp = Tensor([g, nq], zeroed: false)                              // (G, Nq)
        let scores = Tensor([lanes, bq, nk], category: .workspace, zeroed: false)   // (lanes, Bq, Nk)
        let pl = logSumExp.data, pscores = scores.data
        AttentionLanes.run(g) { lane, range in
            let ps = pscores + lane * bq * nk
            for gi in range {
                let qg = q.group(gi), kg = k.group(gi), vg = v.group(gi), og = out.group(gi)
                for q0 in stride(from: 0, to: nq, by: bq) {
                    let rows = min(bq, nq - q0)
                    // S (rows, Nk) = scale * Q_b (rows, D) K^T (D, Nk)
                    BLAS.gemm(transB: true, m: rows, n: nk, k: d, alpha: scale, a: qg + q0 * q.rowStride,
                              lda: q.rowStride, b: kg, ldb: k.rowStride, c: ps, ldc: nk)
                    Softmax.rows(ps, rows: rows, n: nk, logSumExp: pl + gi * nq + q0)
                    // O_b (rows, D) = P (rows, Nk) V (Nk, D)
                    BLAS.gemm(m: rows, n: d, k: nk, a: ps, lda: nk, b: vg, ldb: v.rowStride,
                              c: og + q0 * out.rowStride, ldc: out.rowStride)
                }
            }
        }
        _ = consume scores
        return logSumExp
    }

    /// Writes dQ, dK and dV from dO, with Q, K, V, the output O and its log-sum-exp (G, Nq) from forward.
    public static func backward(groups g: Int, queries nq: Int, keys nk: Int, headDim d: Int, scale: Float,
                                q: HeadMatrix, k: HeadMatrix, v: HeadMatrix, out: HeadMatrix, dOut: HeadMatrix,
                                logSumExp: Tensor, dq: HeadMatrix, dk: HeadMatrix, dv: HeadMatrix) {
        let bq = AttentionWorkspace.queryBlock(queries: nq, keys: nk), lanes = AttentionLanes.count(groups: g)
        let probs = Tensor([lanes, bq, nk], category: .workspace, zeroed: false)   // (lanes, Bq, Nk) recomputed P
        let grads = Tensor([lanes, bq, nk], category: .workspace, zeroed: false)   // (lanes, Bq, Nk) dP, then dS
        let pl = logSumExp.data, pprobs = probs.data, pgrads = grads.data
        AttentionLanes.run(g) { lane, range in
            let pp = pprobs + lane * bq * nk, pg = pgrads + lane * bq * nk
            for gi in range {
                let qg = q.group(gi), kg = k.group(gi), vg = v.group(gi), og = out.group(gi), dOg = dOut.group(gi)
                let dqg = dq.group(gi), dkg = dk.group(gi), dvg = dv.group(gi)
                for q0 in stride(from: 0, to: nq, by: bq) {
                    let rows = min(bq, nq - q0), first: Float = q0 == 0 ? 0 : 1
                    let qb = qg + q0 * q.rowStride, dOb = dOg + q0 * dOut.rowStride, ob = og + q0 * out.rowStride
                    // P (rows, Nk) = exp(scale Q_b K^T - L)
                    BLAS.gemm(transB: true, m: rows, n: nk, k: d, alpha: scale, a: qb, lda: q.rowStride,
                              b: kg, ldb: k.rowStride, c: pp, ldc: nk)
                    let lse = pl + gi * nq + q0
                    for r in 0..<rows {
                        let row = pp + r * nk, l = lse[r]
                        for j in 0..<nk { row[j] = FastMath.exp(row[j] - l) }
                    }
                    // dV (Nk, D) += P^T (Nk, rows) dO_b (rows, D)
                    BLAS.gemm(transA: true, m: nk, n: d, k: rows, a: pp, lda: nk, b: dOb, ldb: dOut.rowStride,
                              beta: first, c: dvg, ldc: dv.rowStride)
                    // dP (rows, Nk) = dO_b (rows, D) V^T (D, Nk)
                    BLAS.gemm(transB: true, m: rows, n: nk, k: d, a: dOb, lda: dOut.rowStride, b: vg,
                              ldb: v.rowStride, c: pg, ldc: nk)
                    // dS = P * (dP - rowsum(dO_b * O_b))
                    for r in 0..<rows {
                        let dRow = Vector.dot(dOb + r * dOut.rowStride, ob + r * out.rowStride, d)
                        let p = pp + r * nk, gr = pg + r * nk
                        for j in 0..<nk { gr[j] = p[j] * (gr[j] - dRow) }
                    }
                    // dQ_b (rows, D) = scale dS K;  dK (Nk, D) += scale dS^T Q_b
                    BLAS.gemm(m: rows, n: d, k: nk, alpha: scale, a: pg, lda: nk, b: kg, ldb: k.rowStride,
                              c: dqg + q0 * dq.rowStride, ldc: dq.rowStride)
                    BLAS.gemm(transA: true, m: nk, n: d, k: rows, alpha: scale, a: pg, lda: nk, b: qb,
                              ldb: q.rowStride, beta: first, c: dkg, ldc: dk.rowStride)
                }
            }
        }
        _ = consume probs; _ = consume grads
    }
}
