// Vectorizable exp and erf-GELU. libm's expf/erff are calls the loop vectorizer cannot widen, so hot loops use
// these branch-free polynomials instead. Error bounds are checked by EngineTests/FastMathTests against Double libm.
//
// exp: 2^n * p(r), r = x - n ln2 in [-0.347, 0.347], p = Taylor series to r^7 (truncation 5.5e-9 relative);
//      measured max relative error 2.4e-7 over [-87, 88] (about 2 ulp).
// GELU: exact-erf form 0.5 x (1 + erf(x / sqrt 2)) with erfc by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7);
//      max abs error vs PyTorch's exact GELU <= 1e-6 for |x| <= 10 (asserted in FastMathTests).
// Every polynomial step and the exp reduction are fused multiply-adds (`fma`): one rounding instead of two, and
// one instruction instead of two once the loop vectorizer widens them (vfmadd with the package's haswell target;
// a target without FMA would call libm's fmaf per element, so Package.swift never builds for one).

public enum FastMath {
    /// a * b + c with one rounding (llvm.fma: vfmadd*ps once vectorized).
    @inlinable @inline(__always)
    public static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float { c.addingProduct(a, b) }

    /// e^x for x in [-87.3, 88.3] (clamped outside), branch-free so loops over it vectorize.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, -87.3), 88.3)
        // Round x*log2(e) to nearest by the 1.5 * 2^23 trick (exact in IEEE arithmetic).
        let t = xc * 1.442695041
        let n = (t + 12582912.0) - 12582912.0
        // Cody-Waite: ln2 split into a part exact in float and a correction (each step one fused rounding).
        let r = fma(-n, -2.12194440e-4, fma(-n, 0.693359375, xc))
        var p: Float = 1.0 / 5040.0
        p = fma(p, r, 1.0 / 720.0)
        p = fma(p, r, 1.0 / 120.0)
        p = fma(p, r, 1.0 / 24.0)
        p = fma(p, r, 1.0 / 6.0)
        p = fma(p, r, 0.5)
        p = fma(p, r, 1.0)
        p = fma(p, r, 1.0)
        let scale = Float(bitPattern: UInt32(truncatingIfNeeded: Int32(n) + 127) << 23)
        return p * scale
    }

    /// Returns (Phi(x), phi(x)): the standard normal CDF and density, from one exp.
    @inlinable @inline(__always)
    public static func normalCDFAndDensity(_ x: Float) -> (cdf: Float, density: Float) {
        let z = Swift.abs(x) * 0.70710678118654752  // |x| / sqrt 2
        let t = 1 / fma(0.3275911, z, 1)
        var poly: Float = 1.061405429
        poly = fma(poly, t, -1.453152027)
        poly = fma(poly, t, 1.421413741)
        poly = fma(poly, t, -0.284496736)
        poly = fma(poly, t, 0.254829592)
        poly *= t
        let e = exp(-z * z)                        // exp(-x^2 / 2)
        let halfErfc = 0.5 * poly * e              // 0.5 * erfc(|x| / sqrt 2) = Phi(-|x|)
        let cdf = x < 0 ? halfErfc : 1 - halfErfc
        return (cdf, e * 0.3989422804014327)       // phi(x) = exp(-x^2/2) / sqrt(2 pi)
    }

    /// GELU(x) = x * Phi(x) (PyTorch's default, exact-erf form).
    @inlinable @inline(__always)
    public static func gelu(_ x: Float) -> Float {
        x * normalCDFAndDensity(x).cdf
    }

    /// d GELU / dx = Phi(x) + x * phi(x).
    @inlinable @inline(__always)
    public static func geluDerivative(_ x: Float) -> Float {
        let (c, d) = normalCDFAndDensity(x)
        return fma(x, d, c)
    }
}
