// Mean over tokens (B, N, C) -> (B, C), forward and backward side by side. Keeps nothing for backward but N.
import Engine

public enum TokenMean {
    /// The mean (the head's input) and the streams' gradient it spreads back.
    static let outputScope = Scopes.register(ScopeName(region: .head, layer: "token_mean", role: "output"))
    static let inputGradientScope = Scopes.register(ScopeName(region: .head, layer: "token_mean", role: "input gradient"))

    public static func forward(_ x: Tensor) -> Tensor {
        let b = x.shape[0], n = x.shape[1], c = x.shape[2]
        let y = Tensor([b, c], scope: outputScope)  // (B, C), zeroed
        let inv = 1 / Float(n)
        for bi in 0..<b {
            let yr = y.data + bi * c
            for t in 0..<n {
                let xr = x.data + (bi * n + t) * c
                for j in 0..<c { yr[j] += xr[j] }
            }
            for j in 0..<c { yr[j] *= inv }
        }
        return y
    }

    /// dx (B, N, C) = dy (B, C) / N broadcast over tokens.
    public static func backward(_ dy: Tensor, tokens n: Int) -> Tensor {
        let b = dy.shape[0], c = dy.shape[1]
        let dx = Tensor([b, n, c], zeroed: false, scope: inputGradientScope)
        let inv = 1 / Float(n)
        for bi in 0..<b {
            let g = dy.data + bi * c
            for t in 0..<n {
                let d = dx.data + (bi * n + t) * c
                for j in 0..<c { d[j] = g[j] * inv }
            }
        }
        return dx
    }
}
