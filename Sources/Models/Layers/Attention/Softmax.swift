// Row-wise softmax and its backward, shared by both attention cores.
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// Row softmax and its backward, on raw rows, in the calling thread (the cores run them inside their lanes).
public enum Softmax {
    /// Each of `rows` rows of length n becomes softmax(row); with `logSumExp`, each row's log-sum-exp is written
    /// there too (the fused core keeps only that).
    @inline(__always)
    public static func rows(_ p: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                            logSumExp: UnsafeMutablePointer<Float>? = nil) {
        for r in 0..<rows {
            let row = p + r * n
            let mx = Vector.max(row, n)
            for j in 0..<n { row[j] = FastMath.exp(row[j] - mx) }
            let sum = Vector.sum(row, n)
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
            if let logSumExp { logSumExp[r] = mx + log(sum) }
        }
    }

    /// grad <- probs * (grad - sum(grad * probs)) per row (grad holds dL/dprobs on entry).
    @inline(__always)
    public static func backwardRows(probs: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let p = probs + r * n, g = grad + r * n
            let dot = Vector.dot(g, p, n)
            for j in 0..<n { g[j] = p[j] * (g[j] - dot) }
        }
    }
}
