// Times the attention cores alone (MathAttention and FusedAttention, forward plus backward) on the shapes of one
// model's blocks, alternating the two cores round by round on the same operands, and reports the achieved GFLOP/s.
// ViT's operands are laid out as in the model (q, k, v read out of a (B, N, 3C) buffer); MViT's as its pooled
// (G, N, D) tensors. FLOPs are the math core's: per group 2 Nq Nk D for each of Q K^T and P V forward, and of dV,
// dP, dQ, dK backward (12 Nq Nk D); the fused core also recomputes Q K^T (14), reported as its executed rate. The
// machine's SGEMM reference is measured after the timings, for comparison.
import Foundation
import Engine
import Models

/// Times the two attention cores on one configuration's shapes (see the file's header).
public enum AttentionBenchmark {
    /// Operands of one shape, allocated once and reused by both cores.
    public final class Operands {
        let shape: AttentionShape
        let q: HeadMatrix, k: HeadMatrix, v: HeadMatrix
        let out: Tensor, dOut: Tensor   // (B, Nq, H x D)
        let dq: HeadMatrix, dk: HeadMatrix, dv: HeadMatrix
        let tensors: [Tensor]   // the storage the views point into, kept alive with them

        public init(_ s: AttentionShape, seed: UInt64) {
            shape = s
            let h = s.heads, b = s.batch
            var rng = SeededRNG(seed: seed)
            func random(_ shape: [Int]) -> Tensor {
                let t = Tensor(shape, zeroed: false)
                rng.fillNormal(t, std: 1, truncated: false)
                return t
            }
            let d = s.headDim
            if s.interleaved {
                let n = s.queries, c = h * d
                let qkv = random([b, n, 3 * c]), out = Tensor([b, n, c]), dOut = random([b, n, c])
                let dqkv = Tensor([b, n, 3 * c])
                q = .columns(qkv, heads: h, headDim: d); k = .columns(qkv, heads: h, headDim: d, column: c)
                v = .columns(qkv, heads: h, headDim: d, column: 2 * c)
                self.out = out; self.dOut = dOut
                dq = .columns(dqkv, heads: h, headDim: d); dk = .columns(dqkv, heads: h, headDim: d, column: c)
                dv = .columns(dqkv, heads: h, headDim: d, column: 2 * c)
                tensors = [qkv, out, dOut, dqkv]
            } else {
                let g = s.groups, c = h * d
                let qt = random([g, s.queries, d]), kt = random([g, s.keys, d]), vt = random([g, s.keys, d])
                let out = Tensor([b, s.queries, c]), dOut = random([b, s.queries, c])
                let dqt = Tensor([g, s.queries, d]), dkt = Tensor([g, s.keys, d]), dvt = Tensor([g, s.keys, d])
                q = .grouped(qt, heads: h); k = .grouped(kt, heads: h); v = .grouped(vt, heads: h)
                self.out = out; self.dOut = dOut
                dq = .grouped(dqt, heads: h); dk = .grouped(dkt, heads: h); dv = .grouped(dvt, heads: h)
                tensors = [qt, kt, vt, out, dOut, dqt, dkt, dvt]
            }
        }

        /// One forward and backward of `core`.
        public func run(_ core: AttentionKind) {
            let s = shape
            let operands = AttentionOperands(groups: s.groups, queries: s.queries, keys: s.keys, headDim: s.headDim,
                                             q: q, k: k, v: v)
            let state = AttentionCore.forward(core, operands, output: out)
            AttentionCore.backward(state, operands, dOutput: dOut, dq: dq, dk: dk, dv: dv)
        }
    }

    /// Bytes `measure` holds at its peak, predicted: every shape's operands (allocated up front and kept), plus the
    /// largest transient of one core on one shape (the math core's probabilities and its lanes' score gradients;
    /// the fused core holds less). In floating point, so an absurd batch is a number to refuse, not an overflow.
    public static func predictedBytes(_ shapes: [AttentionShape], threads: Int) -> Double {
        let float = Double(MemoryLayout<Float>.size)
        var operands = 0.0, transient = 0.0
        for s in shapes {
            let b = Double(s.batch), g = Double(s.groups), d = Double(s.headDim), c = Double(s.heads) * d
            let nq = Double(s.queries), nk = Double(s.keys)
            operands += s.interleaved
                ? 2 * b * nq * 3 * c + 2 * b * nq * c                       // qkv, dqkv; out, dOut
                : 2 * g * (nq + 2 * nk) * d + 2 * b * nq * c               // q, k, v and their gradients; out, dOut
            let lanes = Double(AttentionWorkspace.lanes(groups: s.groups, workers: threads))
            transient = max(transient, (g + lanes) * nq * nk)
        }
        return float * (operands + transient)
    }

    /// Times both cores on `shapes` for `rounds` rounds, the order rotating round by round as a session's variants
    /// do (`Rounds.order`: math then fused, then fused then math, ...), each round's figure the median of `repeats` runs of every shape's blocks. `progress` gets one line a round.
    /// Returns each core's timing and, measured after them, the machine's SGEMM reference at `threads` (GFLOP/s).
    public static func measure(_ shapes: [AttentionShape], threads: Int, rounds: Int, repeats: Int,
                               progress: ((String) -> Void)? = nil) -> (timings: [AttentionTiming], sgemmGFLOPs: Double) {
        BLAS.threads = threads
        Parallel.workers = threads
        let operands = shapes.enumerated().map { Operands($0.element, seed: UInt64($0.offset + 1)) }
        let flops = shapes.reduce(0) { $0 + Double($1.count) * $1.flops }
        func step(_ core: AttentionKind) { for o in operands { for _ in 0..<o.shape.count { o.run(core) } } }
        var timings = AttentionKind.allCases.map { AttentionTiming(core: $0, secondsPerRound: [], flops: flops) }
        for kind in AttentionKind.allCases { step(kind) }   // warm-up: caches, BLAS threads, allocator
        for round in 0..<rounds {
            for kind in Rounds.order(AttentionKind.allCases, round: round) {
                let seconds = Calibration.medianSeconds(repeats: repeats) { step(kind) }
                timings[AttentionKind.allCases.firstIndex(of: kind)!].secondsPerRound.append(seconds)
            }
            progress?("round \(round + 1)/\(rounds): " + timings.map {
                String(format: "%@ %.1f ms", $0.core.rawValue, $0.secondsPerRound.last! * 1e3) }.joined(separator: ", "))
        }
        return (timings, Calibration.sgemmReference(threads: threads))
    }
}
