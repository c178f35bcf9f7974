// Reductions over contiguous floats with 16-wide SIMD accumulators. Swift keeps floating-point additions in
// source order, so a plain `sum += x[i]` loop never vectorizes; these reassociate explicitly (16 partial sums).
// @inlinable so callers in other modules get them inlined and specialized.

public enum Vector {
    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// sum(p[0..<n])
    @inlinable @inline(__always)
    public static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n { acc += load(p, i); i += 16 }
        var s = acc.sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// sum((p[i] - mean)^2)
    @inlinable @inline(__always)
    public static func sumSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
        var acc = SIMD16<Float>()
        let m = SIMD16<Float>(repeating: mean)
        var i = 0
        while i + 16 <= n { let d = load(p, i) - m; acc += d * d; i += 16 }
        var s = acc.sum()
        while i < n { let d = p[i] - mean; s += d * d; i += 1 }
        return s
    }

    /// sum(a[i] * b[i])
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n { acc += load(a, i) * load(b, i); i += 16 }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// max(p[0..<n]) (n >= 1)
    @inlinable @inline(__always)
    public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        // compare-and-select compiles to vmaxps-like code; pointwiseMax's NaN rules keep it scalar
        while i + 16 <= n { let v = load(p, i); acc.replace(with: v, where: v .> acc); i += 16 }
        var m = acc.max()
        while i < n { m = Swift.max(m, p[i]); i += 1 }
        return m
    }
}
