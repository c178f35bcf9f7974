// The paper's attention core, forward and backward side by side: per group (image, head) the full (Nq, Nk)
// probabilities are computed, kept for backward, and multiplied by V. The reference beside FusedAttention, with the
// same operands (HeadMatrix views of q, k, v and the output), so ViT and MViT's pooling attention share both cores.
//   forward:  P = softmax_rows(scale Q K^T);  O = P V
//   backward: dV = P^T dO;  dP = dO V^T;  dS = P * (dP - rowsum(dP * P));  dQ = scale dS K;  dK = scale dS^T Q
// Dimensions: G = groups (batch x heads), Nq = queries, Nk = keys, D = head dim. Groups run in parallel lanes
// (AttentionLanes), each with single-threaded SGEMMs and, in backward, its own (Nq, Nk) gradient buffer.
import Engine
#if canImport(Glibc)
import Glibc
#endif

public enum MathAttention {
    /// Writes O into `out` and returns the probabilities (G, Nq, Nk), which backward needs.
    public static func forward(groups g: Int, queries nq: Int, keys nk: Int, headDim d: Int, scale: Float,
                               q: HeadMatrix, k: HeadMatrix, v: HeadMatrix, out: HeadMatrix) -> Tensor {
        let probs = Tensor([g, nq, nk], zeroed: false)                          // (G, Nq, Nk)
        let pp = probs.data
        AttentionLanes.run(g) { _, range in
            for gi in range {
                let p = pp + gi * nq * nk
                // S (Nq, Nk) = scale * Q (Nq, D) K^T (D, Nk)
                BLAS.gemm(transB: true, m: nq, n: nk, k: d, alpha: scale, a: q.group(gi), lda: q.rowStride,
                          b: k.group(gi), ldb: k.rowStride, c: p, ldc: nk)
                Softmax.rows(p, rows: nq, n: nk)
                // O (Nq, D) = P (Nq, Nk) V (Nk, D)
                BLAS.gemm(m: nq, n: d, k: nk, a: p, lda: nk, b: v.group(gi), ldb: v.rowStride,
                          c: out.group(gi), ldc: out.rowStride)
            }
        }
        return probs
    }

    /// Writes dQ, dK and dV from dO, with Q, K, V and the probabilities from forward.
    public static func backward(groups g: Int, queries nq: Int, keys nk: Int, headDim d: Int, scale: Float,
                                q: HeadMatrix, k: HeadMatrix, v: HeadMatrix, dOut: HeadMatrix, probs: Tensor,
                                dq: HeadMatrix, dk: HeadMatrix, dv: HeadMatrix) {
        let lanes = AttentionLanes.count(groups: g)
        let dScores = Tensor([lanes, nq, nk], category: .workspace, zeroed: false)   // (lanes, Nq, Nk)
        let pp = probs.data, pscores = dScores.data
        AttentionLanes.run(g) { lane, range in
            let ps = pscores + lane * nq * nk
            for gi in range {
                let p = pp + gi * nq * nk, dO = dOut.group(gi)
                let qg = q.group(gi), kg = k.group(gi)
                // dV (Nk, D) = P^T (Nk, Nq) dO (Nq, D)
                BLAS.gemm(transA: true, m: nk, n: d, k: nq, a: p, lda: nk, b: dO, ldb: dOut.rowStride,
                          c: dv.group(gi), ldc: dv.rowStride)
                // dP (Nq, Nk) = dO (Nq, D) V^T (D, Nk)
                BLAS.gemm(transB: true, m: nq, n: nk, k: d, a: dO, lda: dOut.rowStride, b: v.group(gi),
                          ldb: v.rowStride, c: ps, ldc: nk)
                // dS = P * (dP - rowsum(dP * P))
                Softmax.backwardRows(probs: p, grad: ps, rows: nq, n: nk)
                // dQ (Nq, D) = scale dS (Nq, Nk) K (Nk, D);  dK (Nk, D) = scale dS^T Q
                BLAS.gemm(m: nq, n: d, k: nk, alpha: scale, a: ps, lda: nk, b: kg, ldb: k.rowStride,
                          c: dq.group(gi), ldc: dq.rowStride)
                BLAS.gemm(transA: true, m: nk, n: d, k: nq, alpha: scale, a: ps, lda: nk, b: qg, ldb: q.rowStride,
                          c: dk.group(gi), ldc: dk.rowStride)
            }
        }
        _ = consume dScores
    }
}
