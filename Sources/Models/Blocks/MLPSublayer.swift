// G, the MLP sublayer of a block: LayerNorm then MLP (and drop-path); forward and backward.
import Engine

/// G(x) = MLP(norm2(x)).
public final class MLPSublayer: ParameterOwner {
    public let norm: LayerNorm  // norm2
    public let mlp: MLP

    public init(_ prefix: String, width: Int, hidden: Int) {
        norm = LayerNorm(qualified(prefix, "norm2"), width)
        mlp = MLP(qualified(prefix, "mlp"), width: width, hidden: hidden)
    }

    public var parameters: [Parameter] { norm.parameters + mlp.parameters }

    public struct Saved {
        public let normSaved: LayerNorm.Saved  // x (B, N, C)
        public let mlpSaved: MLP.Saved
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let (h, s1) = norm.forward(x)
        let (y, s2) = mlp.forward(h)
        return (y, Saved(normSaved: s1, mlpSaved: s2))
    }

    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let normSaved = saved.normSaved, mlpSaved = saved.mlpSaved
        _ = consume saved
        return norm.backward(mlp.backward(dy, consume mlpSaved), consume normSaved)
    }
}
