// What one `bench calibrate` child measures with the OpenBLAS kernel set it loaded (OPENBLAS_CORETYPE is read only
// when the library loads, so each kernel set needs a process of its own): SGEMM GFLOP/s on the step's shapes at
// all cores, and the accuracy check of that set. The child prints it as one marked JSON line for the parent.
import Foundation
import Engine

/// SGEMM rates and the accuracy check of the kernel set this process loaded.
public struct KernelProbe: Sendable, Codable, Equatable {
    /// One timed SGEMM shape, named M x K x N as `bench calibrate` prints SGEMM shapes; B is transposed, as Linear
    /// multiplies by its (N, K) weight and attention by K^T.
    public struct Shape: Sendable, Codable, Equatable {
        public var name: String
        public var m: Int, k: Int, n: Int
        public var label: String { "\(name) \(m)x\(k)x\(n)" }
    }

    /// ViT-S batch 8 (1576 tokens, width 384): qkv (the `sgemm_gflops` reference shape, first), fc1, fc2, and one
    /// head's attention scores (197 x 64 x 197).
    public static let shapes = [Shape(name: "qkv", m: 1576, k: 384, n: 1152), Shape(name: "fc1", m: 1576, k: 384, n: 1536),
                                Shape(name: "fc2", m: 1576, k: 1536, n: 384), Shape(name: "scores", m: 197, k: 64, n: 197)]

    /// Marks the stdout line that carries a child's probe.
    public static let marker = "REVBENCH_KERNEL_PROBE\t"

    /// `openblas_get_corename()` of the measuring process.
    public var coreName: String
    public var threads: Int
    /// GFLOP/s per shape, in `shapes` order.
    public var gflops: [Double]
    /// The accuracy check at 1 thread and at `threads` (empty when not asked for).
    public var check: [SGEMMCheck.Result]

    /// The rate on the reference shape (qkv).
    public var referenceGFLOPs: Double { gflops.first ?? .nan }
    public var checkPassed: Bool { !check.isEmpty && check.allSatisfy(\.passed) }

    /// Measures this process's kernels: per shape, 3 untimed calls then the median of `repeats`.
    public static func measure(threads: Int, repeats: Int, check: Bool) -> KernelProbe {
        BLAS.threads = threads
        var rng = SeededRNG(seed: 1)
        let rates = shapes.map { s -> Double in
            let a = Tensor([s.m, s.k]), b = Tensor([s.n, s.k]), c = Tensor([s.m, s.n])
            rng.fillNormal(a, std: 1, truncated: false); rng.fillNormal(b, std: 1, truncated: false)
            let call = {
                BLAS.gemm(transB: true, m: s.m, n: s.n, k: s.k, a: a.data, lda: s.k, b: b.data, ldb: s.k, c: c.data, ldc: s.n)
            }
            call(); call()
            return 2 * Double(s.m * s.n * s.k) / Calibration.medianSeconds(repeats: repeats, call) / 1e9
        }
        let results = check ? SGEMMCheck.run(threads: threads > 1 ? [1, threads] : [1]) : []
        BLAS.threads = threads
        return KernelProbe(coreName: BLAS.coreName, threads: threads, gflops: rates, check: results)
    }

    /// The fastest reading of each shape over probes of one kernel set (a busy moment slows a round, never speeds
    /// it up), with every check they made.
    public static func best(of probes: [KernelProbe]) -> KernelProbe? {
        guard var best = probes.first else { return nil }
        for p in probes.dropFirst() {
            best.gflops = zip(best.gflops, p.gflops).map { max($0, $1) }
            best.check += p.check
        }
        return best
    }

    /// The marked line a child prints.
    public func line() throws -> String {
        Self.marker + String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// The probe in a child's stdout, or nil.
    public static func parse(output: String) -> KernelProbe? {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(marker) }) else { return nil }
        return try? JSONDecoder().decode(KernelProbe.self, from: Data(line.dropFirst(marker.count).utf8))
    }
}
