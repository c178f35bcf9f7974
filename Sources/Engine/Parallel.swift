// Splitting elementwise work across cores. Workers only read and write preallocated buffers: tensors are
// allocated on the calling thread alone, so jemalloc's per-thread counters and the ledger stay exact.
import Dispatch

/// Row-parallel loops for the engine's elementwise kernels (BLAS has its own threads).
public enum Parallel {
    /// Worker count for elementwise kernels; set by the runner (defaults to the machine's cores).
    nonisolated(unsafe) public static var workers: Int = System.coreCount

    /// How many chunks `forChunks` would use for `count` items of at least `grain` each.
    public static func chunkCount(_ count: Int, grain: Int = 1) -> Int {
        min(workers, max(1, count / max(grain, 1)))
    }

    /// Parallel loops started so far (each wakes `chunks - 1` workers); counted on the calling thread, which is
    /// the only one that starts loops (workers never nest them), so the kernels' wake-ups can be counted in tests.
    nonisolated(unsafe) public private(set) static var dispatches = 0

    /// Calls `body(chunk, range)` for `chunks` disjoint chunks of 0..<count, in parallel.
    @inline(__always)
    public static func forChunks(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        if chunks <= 1 { body(0, 0..<count); return }
        dispatches &+= 1
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { body(c, lo..<hi) }
        }
    }

    /// Calls `body(range)` over disjoint chunks of 0..<count, in parallel when the work is big enough.
    /// `grain` is the smallest count worth a chunk of its own.
    @inline(__always)
    public static func forChunks(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        forChunks(count, chunks: chunkCount(count, grain: grain)) { _, r in body(r) }
    }
}

/// Facts about the machine.
public enum System {
    /// Online processor count.
    public static var coreCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}
#if canImport(Glibc)
import Glibc
#endif
