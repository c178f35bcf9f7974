// Shared test helpers: closeness of tensors and arrays, reported as the largest relative difference.
import Engine

/// max |a - b| / max(|b|_inf, floor): a relative difference normalized by the reference's scale, so tiny
/// entries of a large tensor do not dominate.
public func maxRelativeDifference(_ a: [Float], _ b: [Float], floor: Float = 1e-6) -> Float {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var scale: Float = floor
    for v in b { scale = max(scale, abs(v)) }
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m / scale
}

public func maxRelativeDifference(_ a: Tensor, _ b: Tensor, floor: Float = 1e-6) -> Float {
    maxRelativeDifference(a.values, b.values, floor: floor)
}

/// A tensor of normal(0, std) values from a seeded generator.
public func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1, category: MemoryCategory = .activation) -> Tensor {
    var rng = SeededRNG(seed: seed)
    let t = Tensor(shape, category: category)
    rng.fillNormal(t, std: std, truncated: false)
    return t
}
