// The SGEMM rate every row's achieved GFLOP/s is compared with (the `sgemm_gflops` column): its schedule, kept
// apart from the clock so that tests drive it with injected timings, and the kernel it times.
import Foundation
import Engine

/// How the reference is measured: the BLAS pool is warmed until two medians of `warmupCalls` calls in a row agree
/// within `agreement` (right after a training run the first calls measured 20% low), then the best (fastest) of
/// `batches` medians of `calls` calls each is kept, so one slow stretch of the machine does not set the reference.
public struct SGEMMReference: Sendable {
    /// The shape timed: ViT-S's qkv projection at batch 8 (M = 1576 tokens, K = 384, N = 1152).
    public static let m = 1576, k = 384, n = 1152
    /// Floating-point operations of one call.
    public static var flops: Double { 2 * Double(m * n * k) }

    public var batches = 5
    public var calls = 10
    public var warmupCalls = 5
    /// Relative difference below which two warm-up medians agree.
    public var agreement = 0.05
    /// Warm-up medians after the first, at most (the warm-up ends here even if no two agree).
    public var maxWarmups = 40

    public init(batches: Int = 5, calls: Int = 10) { self.batches = batches; self.calls = calls }

    /// What one measurement did, in order.
    public struct Reading: Sendable, Equatable {
        /// The warm-up medians, the last two of which agreed (unless `maxWarmups` ran out).
        public var warmupMedians: [Double]
        /// The medians of the measured batches.
        public var batchMedians: [Double]
        /// The smallest batch median: the reference's seconds per call.
        public var seconds: Double { batchMedians.min() ?? .nan }
        /// The reference rate.
        public var gflops: Double { SGEMMReference.flops / seconds / 1e9 }
    }

    /// Runs the schedule. `median(calls)` times the kernel: the median seconds of `calls` calls (in `measure(threads:)`,
    /// after one untimed call); tests pass a script of medians instead.
    public func run(median: (_ calls: Int) -> Double) -> Reading {
        var warmups = [median(warmupCalls)]
        for _ in 0..<maxWarmups {
            let next = median(warmupCalls)
            warmups.append(next)
            if abs(next / warmups[warmups.count - 2] - 1) < agreement { break }
        }
        return Reading(warmupMedians: warmups, batchMedians: (0..<batches).map { _ in median(calls) })
    }

    /// The reference measured on this machine's SGEMM at `threads` BLAS threads.
    public func measure(threads: Int) -> Reading {
        BLAS.threads = threads
        var rng = SeededRNG(seed: 1)
        let (m, k, n) = (Self.m, Self.k, Self.n)
        let a = Tensor([m, k]), b = Tensor([n, k]), c = Tensor([m, n])
        rng.fillNormal(a, std: 1, truncated: false); rng.fillNormal(b, std: 1, truncated: false)
        return run { calls in
            Calibration.medianSeconds(repeats: calls) {
                BLAS.gemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n)
            }
        }
    }
}
