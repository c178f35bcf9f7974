// The attention cores' lanes and workspace, pure functions of the shapes and the worker count: FusedAttention and
// MathAttention size their workspace by them, and the memory model predicts with them for a child's --threads,
// whatever this process's workers are.
// Dimensions: G = groups (batch x heads), Nq = queries, Nk = keys, Bq = the fused core's query block rows.

/// The lanes both attention cores run their groups in, and the workspace each core allocates for them.
public enum AttentionWorkspace {
    /// Floats of one fused (Bq, Nk) score block: 64K floats (256 KB), so a lane's two backward blocks stay in a 1 MB L2.
    static let blockFloats = 1 << 16

    /// Lanes for `groups` groups with `workers` elementwise workers: one per worker, at most one per group.
    public static func lanes(groups: Int, workers: Int) -> Int { max(1, min(workers, groups)) }

    /// The fused core's query rows per block: as many as fit `blockFloats`, split evenly (ViT's 197 tokens: one block;
    /// 301: 151 and 150).
    public static func queryBlock(queries nq: Int, keys nk: Int) -> Int {
        let most = max(8, blockFloats / max(nk, 1))
        let blocks = (nq + most - 1) / most
        return (nq + blocks - 1) / blocks
    }

    /// The fused core's workspace floats: forward one (Bq, Nk) score block per lane, backward two.
    public static func fusedFloats(groups: Int, queries nq: Int, keys nk: Int, backward: Bool, workers: Int) -> Int {
        lanes(groups: groups, workers: workers) * (backward ? 2 : 1) * queryBlock(queries: nq, keys: nk) * nk
    }

    /// The math core's backward workspace floats: one (Nq, Nk) score-gradient buffer per lane.
    public static func mathFloats(groups: Int, queries nq: Int, keys nk: Int, workers: Int) -> Int {
        lanes(groups: groups, workers: workers) * nq * nk
    }
}
