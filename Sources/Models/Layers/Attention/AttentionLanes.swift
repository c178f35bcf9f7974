// How both attention cores spread their (image, head) groups over the cores.
import Engine

/// How both cores spread their groups over the cores: one lane per elementwise worker (at most one per group), each
/// running whole groups with single-threaded SGEMMs. A group's matmuls (197 x 197 x 64 for ViT-S) are too small to
/// share between OpenBLAS's threads (measured, ViT-S d12 batch 8 with `bench attention`: the math core's attention of
/// one step 226-398 ms with OpenBLAS's two threads per matmul, 117-121 ms in two lanes), and the softmax then runs in
/// the same lane while its rows are in cache.
public enum AttentionLanes {
    /// Lanes for `groups` groups in this process (its `Parallel.workers`).
    public static func count(groups: Int) -> Int { AttentionWorkspace.lanes(groups: groups, workers: Parallel.workers) }

    /// Runs `body(lane, groups)` over disjoint ranges of groups in parallel lanes, OpenBLAS single-threaded inside.
    static func run(_ groups: Int, _ body: (Int, Range<Int>) -> Void) {
        let lanes = count(groups: groups)
        if lanes == 1 { body(0, 0..<groups); return }
        let blasThreads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = blasThreads }
        Parallel.forChunks(groups, chunks: lanes, body)
    }
}
