// Measures the machine's kernel rates: SGEMM GFLOP/s on the ViT-S qkv shape, and LayerNorm and GELU GB/s over a
// (1576, 1536) tensor, at a given thread count; and the SGEMM reference (`SGEMMReference`) that achieved GFLOP/s
// is compared to, with the check that it holds still right after a training run.
import Foundation
import Engine
import Models

public enum Calibration {
    /// Median seconds of `body` over `repeats` runs after one warm-up.
    static func medianSeconds(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return Format.median(sorted: times.sorted())
    }

    /// The SGEMM rate achieved GFLOP/s is compared with (`SGEMMReference`: the BLAS pool warmed until two medians
    /// agree, then the best of `batches` medians of `repeats` calls each), in GFLOP/s.
    public static func sgemmReference(threads: Int, batches: Int = 5, repeats: Int = 10) -> Double {
        SGEMMReference(batches: batches, calls: repeats).measure(threads: threads).gflops
    }

    /// The largest over the smallest of `readings` SGEMM references that `bench calibrate --reference-check` accepts.
    public static let referenceSpreadLimit = 1.15

    /// The SGEMM reference `readings` times in a row right after a short training run (the BLAS pool asleep, caches
    /// cold), in GFLOP/s: the figures should agree within `referenceSpreadLimit`. A reference that read half the
    /// machine's rate after a long run once made the models look 154% efficient.
    public static func referenceAfterTraining(threads: Int, readings: Int = 5) throws -> [Double] {
        let c = try Presets.configuration("vit_tiny_test") { $0.depth = 8; $0.width = 64; $0.heads = 4; $0.imageSize = 64 }
        let r = RunRequest(c, variant: .standard, batch: 8, steps: 5, warmup: 1, threads: threads)
        _ = try StepRunner.measure(r)
        return (0..<readings).map { _ in sgemmReference(threads: threads) }
    }

    /// Rates at `threads` threads. M=1576 (ViT-S batch 8 tokens), K=384, N=1152 for SGEMM; 1576 x 1536 elementwise.
    public static func measure(threads: Int, repeats: Int = 20) -> KernelRates {
        BLAS.threads = threads
        Parallel.workers = threads
        var rng = SeededRNG(seed: 1)
        let m = 1576, k = 384, n = 1152
        let a = Tensor([m, k]), b = Tensor([n, k]), c = Tensor([m, n])
        rng.fillNormal(a, std: 1, truncated: false); rng.fillNormal(b, std: 1, truncated: false)
        let gemm = medianSeconds(repeats: repeats) {
            BLAS.gemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n)
        }
        let rows = 1576, cols = 1536
        let x = Tensor([rows, cols]), dy = Tensor([rows, cols])
        rng.fillNormal(x, std: 1, truncated: false); rng.fillNormal(dy, std: 1, truncated: false)
        let bytes = Double(rows * cols * 4)
        let ln = LayerNorm("ln", cols)
        var saved: LayerNorm.Saved?
        let lnForward = medianSeconds(repeats: repeats) { saved = ln.forward(x).1 }
        let lnBackward = medianSeconds(repeats: repeats) { _ = ln.backward(dy, saved!) }
        var geluSaved: GELU.Saved?
        let geluForward = medianSeconds(repeats: repeats) { geluSaved = GELU.forward(x).1 }
        let geluBackward = medianSeconds(repeats: repeats) { _ = GELU.backward(dy, geluSaved!) }
        return KernelRates(threads: threads,
                           sgemmGFLOPs: 2 * Double(m * n * k) / gemm / 1e9,
                           // forward: read x, write y; backward: read x and dy, write dx
                           layerNormForwardGBs: 2 * bytes / lnForward / 1e9,
                           layerNormBackwardGBs: 3 * bytes / lnBackward / 1e9,
                           geluForwardGBs: 2 * bytes / geluForward / 1e9,
                           geluBackwardGBs: 3 * bytes / geluBackward / 1e9)
    }

    public static func render(_ rates: [KernelRates]) -> String {
        var rows = [["threads", "SGEMM 1576x384x1152 GFLOP/s", "LayerNorm fwd GB/s", "LayerNorm bwd GB/s",
                     "GELU fwd GB/s", "GELU bwd GB/s"]]
        for r in rates {
            rows.append(["\(r.threads)", Format.fixed(r.sgemmGFLOPs, 1), Format.fixed(r.layerNormForwardGBs, 1),
                         Format.fixed(r.layerNormBackwardGBs, 1), Format.fixed(r.geluForwardGBs, 1),
                         Format.fixed(r.geluBackwardGBs, 1)])
        }
        return TextTable.render(rows, rightAligned: Set(0..<6))
    }
}
