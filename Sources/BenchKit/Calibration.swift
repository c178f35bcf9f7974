// Measures the machine's kernel rates: SGEMM GFLOP/s on the ViT-S qkv shape, and LayerNorm and GELU GB/s over a
// (1576, 1536) tensor, at a given thread count. The SGEMM rate is the reference achieved GFLOP/s is compared to.
import Foundation
import Engine
import Models

public struct KernelRates: Sendable {
    public var threads: Int
    public var sgemmGFLOPs: Double
    public var layerNormForwardGBs: Double
    public var layerNormBackwardGBs: Double
    public var geluForwardGBs: Double
    public var geluBackwardGBs: Double
}

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
        return times.sorted()[times.count / 2]
    }

    /// The SGEMM rate achieved GFLOP/s is compared with: the BLAS thread pool warmed first, until two medians of five
    /// calls in a row agree within 5% (right after a training run the first calls measured 20% low), then the best of
    /// `batches` medians of `repeats` calls each, so one slow stretch of the machine does not set the reference.
    public static func sgemmReference(threads: Int, batches: Int = 5, repeats: Int = 10) -> Double {
        BLAS.threads = threads
        var rng = SeededRNG(seed: 1)
        let m = 1576, k = 384, n = 1152
        let a = Tensor([m, k]), b = Tensor([n, k]), c = Tensor([m, n])
        rng.fillNormal(a, std: 1, truncated: false); rng.fillNormal(b, std: 1, truncated: false)
        let gemm = { BLAS.gemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n) }
        var previous = medianSeconds(repeats: 5, gemm)
        for _ in 0..<40 {
            let next = medianSeconds(repeats: 5, gemm)
            if abs(next / previous - 1) < 0.05 { break }
            previous = next
        }
        let best = (0..<batches).map { _ in medianSeconds(repeats: repeats, gemm) }.min()!
        return 2 * Double(m * n * k) / best / 1e9
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
