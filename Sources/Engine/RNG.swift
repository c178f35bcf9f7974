// Seeded random numbers: the same seed gives the same bits on every run and machine (no system entropy).

/// SplitMix64-seeded xoshiro256** generator with uniform, normal and truncated-normal helpers.
public struct SeededRNG: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var z = seed
        func splitMix(_ z: inout UInt64) -> UInt64 {
            z &+= 0x9E3779B97F4A7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58476D1CE4E5B9
            x = (x ^ (x >> 27)) &* 0x94D049BB133111EB
            return x ^ (x >> 31)
        }
        s0 = splitMix(&z); s1 = splitMix(&z); s2 = splitMix(&z); s3 = splitMix(&z)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal by Box-Muller (computed in Double for reproducible bits).
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2 * log(Swift.max(u1, 1e-300))).squareRoot()
        return Float(r * cos(2 * Double.pi * u2))
    }

    /// Normal(0, std) resampled until within two standard deviations (timm's trunc_normal_ convention).
    public mutating func truncatedNormal(std: Float) -> Float {
        while true {
            let z = normal()
            if Swift.abs(z) <= 2 { return z * std }
        }
    }

    /// Fills `t` with normal(0, std) values, truncated at +-2 std when `truncated`.
    public mutating func fillNormal(_ t: Tensor, std: Float, truncated: Bool = true) {
        for i in 0..<t.count { t[i] = truncated ? truncatedNormal(std: std) : normal() * std }
    }

    /// Fills `t` with uniform values in [lo, hi).
    public mutating func fillUniform(_ t: Tensor, _ lo: Float, _ hi: Float) {
        for i in 0..<t.count { t[i] = lo + (hi - lo) * uniform() }
    }

    /// A uniform integer in 0..<bound.
    public mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
