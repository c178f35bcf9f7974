// Elementwise kernels over whole tensors: residual adds, accumulation, scaling, row broadcasts and row sums.
// Plain loops over raw pointers in optimized builds; the loop vectorizer widens them to the CPU target.

public enum Elementwise {
    /// out = a + b (new tensor, same shape as a).
    public static func add(_ a: Tensor, _ b: Tensor, category: MemoryCategory = .activation) -> Tensor {
        precondition(a.count == b.count, "add: \(a.shape) vs \(b.shape)")
        let out = Tensor(a.shape, category: category, zeroed: false)
        let pa = a.data, pb = b.data, po = out.data
        Parallel.forChunks(a.count, grain: 1 << 15) { r in
            for i in r { po[i] = pa[i] + pb[i] }
        }
        return out
    }

    /// out = a - b (new tensor, same shape as a).
    public static func subtract(_ a: Tensor, _ b: Tensor, category: MemoryCategory = .activation) -> Tensor {
        precondition(a.count == b.count, "subtract: \(a.shape) vs \(b.shape)")
        let out = Tensor(a.shape, category: category, zeroed: false)
        let pa = a.data, pb = b.data, po = out.data
        Parallel.forChunks(a.count, grain: 1 << 15) { r in
            for i in r { po[i] = pa[i] - pb[i] }
        }
        return out
    }

    /// dst += src.
    public static func accumulate(_ dst: Tensor, _ src: Tensor) {
        precondition(dst.count == src.count, "accumulate: \(dst.shape) vs \(src.shape)")
        let pd = dst.data, ps = src.data
        Parallel.forChunks(dst.count, grain: 1 << 15) { r in
            for i in r { pd[i] += ps[i] }
        }
    }

    /// dst *= s.
    public static func scale(_ dst: Tensor, by s: Float) {
        let pd = dst.data
        for i in 0..<dst.count { pd[i] *= s }
    }

    /// Writes `bias` (n) into every row of `out` (rows x n).
    public static func broadcastRows(_ bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows { (out + r * n).update(from: bias, count: n) }
    }

    /// sums (n) += column sums of `x` (rows x n).
    public static func accumulateColumnSums(_ x: UnsafePointer<Float>, rows: Int, n: Int, into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * n
            for j in 0..<n { sums[j] += row[j] }
        }
    }

    /// Largest |a - b| over all elements.
    /// How far `a` is from `reference`: max |a - ref|, RMS(a - ref), RMS(ref) and max |ref| (Double sums).
    public static func differenceStatistics(_ a: Tensor, reference: Tensor)
        -> (maxAbs: Double, rms: Double, referenceRMS: Double, referenceMaxAbs: Double) {
        precondition(a.count == reference.count, "sizes differ: \(a.shape) vs \(reference.shape)")
        var maxAbs = 0.0, sumSq = 0.0, refSq = 0.0, refMax = 0.0
        let pa = a.data, pr = reference.data
        for i in 0..<a.count {
            let r = Double(pr[i]), d = Double(pa[i]) - r
            maxAbs = max(maxAbs, abs(d)); sumSq += d * d; refSq += r * r; refMax = max(refMax, abs(r))
        }
        let n = Double(max(a.count, 1))
        return (maxAbs, (sumSq / n).squareRoot(), (refSq / n).squareRoot(), refMax)
    }

    public static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.count == b.count)
        var m: Float = 0
        for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
        return m
    }

    /// [a, b] along the last dimension: (B, N, C) x 2 -> (B, N, 2C).
    public static func concatLastDim(_ a: Tensor, _ b: Tensor) -> Tensor {
        let rows = a.rows, c = a.lastDim
        let out = Tensor(Array(a.shape.dropLast()) + [2 * c], zeroed: false)
        for r in 0..<rows {
            (out.data + r * 2 * c).update(from: a.data + r * c, count: c)
            (out.data + r * 2 * c + c).update(from: b.data + r * c, count: c)
        }
        return out
    }

    /// The halves of (B, N, 2C) as two (B, N, C) tensors.
    public static func splitLastDim(_ x: Tensor) -> (Tensor, Tensor) {
        let rows = x.rows, c = x.lastDim / 2
        let shape = Array(x.shape.dropLast()) + [c]
        let a = Tensor(shape, zeroed: false), b = Tensor(shape, zeroed: false)
        for r in 0..<rows {
            (a.data + r * c).update(from: x.data + r * 2 * c, count: c)
            (b.data + r * c).update(from: x.data + r * 2 * c + c, count: c)
        }
        return (a, b)
    }
}
