// Stochastic depth: a block's residual branch dropped per image, scaled by 1 / (1 - rate); forward and backward.
import Engine

/// Stochastic depth: each sample's branch output is dropped with probability `rate`, kept ones scaled by
/// 1 / (1 - rate). The per-sample multipliers are drawn once per forward and stored, so a recompute replays them.
public enum DropPath {
    /// Per-sample multipliers (0 or 1/(1-rate)), or nil when nothing is dropped (rate 0).
    public static func draw(batch: Int, rate: Float, rng: inout SeededRNG) -> [Float]? {
        guard rate > 0 else { return nil }
        let keep = 1 - rate
        return (0..<batch).map { _ in rng.uniform() < keep ? 1 / keep : 0 }
    }

    /// x (B, ...) *= mask[b] per sample, in place.
    public static func apply(_ x: Tensor, _ mask: [Float]?) {
        guard let mask else { return }
        let per = x.count / mask.count
        for b in 0..<mask.count {
            let p = x.data + b * per, m = mask[b]
            for i in 0..<per { p[i] *= m }
        }
    }

    /// A masked copy of dy (dy itself when there is no mask); dy stays untouched because the residual needs it.
    public static func backward(_ dy: Tensor, _ mask: [Float]?) -> Tensor {
        guard mask != nil else { return dy }
        let d = dy.copy()
        apply(d, mask)
        return d
    }
}
