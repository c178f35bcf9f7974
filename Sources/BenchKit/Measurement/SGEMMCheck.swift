// Checks the SGEMM kernels OpenBLAS loaded against a double-precision product, on shapes that reach the kernels'
// edge and blocking paths, every transposition, and 1 and several threads: a kernel set is only recommended once
// its results are right on this CPU (OPENBLAS_CORETYPE forces kernels OpenBLAS would not have picked itself).
import Engine

/// The accuracy check of `bench calibrate`: every case's error against a Double reference, as a fraction of the
/// rounding-error bound of a float dot product of that length.
public enum SGEMMCheck {
    /// One checked call: C (m x n) = alpha * op(A) * op(B) + beta * C.
    public struct Case: Sendable, Equatable, CustomStringConvertible {
        public var m: Int, n: Int, k: Int
        public var transA: Bool, transB: Bool
        public var alpha: Float, beta: Float
        public var description: String {
            "\(m)x\(k)x\(n) \(transA ? "T" : "N")\(transB ? "T" : "N") alpha \(alpha) beta \(beta)"
        }
    }

    /// What the check found at one thread count.
    public struct Result: Sendable, Codable, Equatable {
        public var threads: Int
        public var cases: Int
        /// The largest error / bound over every element of every case (at most 1 passes).
        public var worstRatio: Double
        /// The case where it occurred.
        public var worstCase: String
        public var passed: Bool { worstRatio <= 1 }
    }

    /// The kernel under check, `BLAS.gemm`'s contract (tests inject a wrong one).
    public typealias Gemm = (_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) -> Void

    /// OpenBLAS through the engine's wrapper.
    public static let openBLAS: Gemm = { tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        BLAS.gemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc)
    }

    /// (m, n, k): a head's scores and context (197 tokens, head dim 64), a K longer than the kernels' K block,
    /// odd sizes in every dimension, a single row and a single column. Small enough for a naive Double reference.
    public static let shapes = [(197, 197, 64), (197, 64, 197), (300, 384, 128), (61, 37, 700), (517, 129, 385),
                                (1, 1152, 384), (64, 1, 33)]

    /// Every shape in every transposition; half of them with alpha and beta other than 1 and 0 (the beta path).
    public static var cases: [Case] {
        var all: [Case] = []
        for (m, n, k) in shapes {
            for (i, (tA, tB)) in [(false, false), (false, true), (true, false), (true, true)].enumerated() {
                let plain = i % 3 == 0
                all.append(Case(m: m, n: n, k: k, transA: tA, transB: tB, alpha: plain ? 1 : 0.7, beta: plain ? 0 : 0.5))
            }
        }
        return all
    }

    /// Runs every case at each of `threads` BLAS thread counts (restoring the count it found).
    public static func run(threads: [Int], cases: [Case] = cases, gemm: Gemm = openBLAS) -> [Result] {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        var worst = Array(repeating: (ratio: 0.0, at: ""), count: threads.count)
        for (index, c) in cases.enumerated() {
            let operands = Operands(c, seed: UInt64(index + 1))
            for (t, count) in threads.enumerated() {
                BLAS.threads = count
                let ratio = operands.errorRatio(gemm)
                if ratio > worst[t].ratio || worst[t].at.isEmpty { worst[t] = (ratio, c.description) }
            }
        }
        return zip(threads, worst).map { Result(threads: $0, cases: cases.count, worstRatio: $1.ratio, worstCase: $1.at) }
    }

    /// A case's random operands and its Double reference, computed once and compared with any number of calls.
    struct Operands {
        let c: Case
        let a: [Float], b: [Float], c0: [Float]  // op(A) stored (m, k) or (k, m); op(B) (k, n) or (n, k); C (m, n)
        let reference: [Double], bound: [Double]  // (m, n)

        init(_ c: Case, seed: UInt64) {
            self.c = c
            var rng = SeededRNG(seed: seed)
            func random(_ count: Int) -> [Float] { (0..<count).map { _ in rng.uniform() * 2 - 1 } }
            a = random(c.m * c.k); b = random(c.k * c.n); c0 = random(c.m * c.n)
            var reference = [Double](repeating: 0, count: c.m * c.n), bound = reference
            let lda = c.transA ? c.m : c.k, ldb = c.transB ? c.k : c.n
            for i in 0..<c.m {
                for j in 0..<c.n {
                    var sum = 0.0, magnitude = 0.0
                    for p in 0..<c.k {
                        let av = Double(c.transA ? a[p * lda + i] : a[i * lda + p])
                        let bv = Double(c.transB ? b[j * ldb + p] : b[p * ldb + j])
                        sum += av * bv; magnitude += abs(av * bv)
                    }
                    let scaled = Double(c.beta) * Double(c0[i * c.n + j])
                    reference[i * c.n + j] = Double(c.alpha) * sum + scaled
                    // gamma_k |A||B| (k products and sums rounded at unit roundoff 2^-24), doubled for alpha and
                    // beta's own roundings and any summation order; a wrong kernel is off by O(1) of |A||B|.
                    bound[i * c.n + j] = 2 * Double(c.k + 2) * 0x1p-24 * (abs(Double(c.alpha)) * magnitude + abs(scaled))
                        + Double(Float.leastNormalMagnitude)
                }
            }
            self.reference = reference; self.bound = bound
        }

        /// Calls `gemm` on a fresh copy of C and returns the largest |C - reference| / bound.
        func errorRatio(_ gemm: Gemm) -> Double {
            var out = c0
            let lda = c.transA ? c.m : c.k, ldb = c.transB ? c.k : c.n
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        gemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, pa.baseAddress!, lda, pb.baseAddress!, ldb,
                             c.beta, pc.baseAddress!, c.n)
                    }
                }
            }
            var worst = 0.0
            for i in out.indices {
                let e = abs(Double(out[i]) - reference[i]) / bound[i]
                worst = e.isNaN ? .infinity : max(worst, e)
            }
            return worst
        }
    }
}
