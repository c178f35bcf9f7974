// Rev-MViT-B's reversible block, forward and backward side by side (the stage transition is RevMViTTransition).
// Reversible block (runs [0], [2], [4-13], [15]): F = Attn(norm1(.)) with K/V pooling, G = MLP(norm2(.)), used as
//   Y1 = X1 + F(X2), Y2 = X2 + G(Y1) by ReversibleMViT.
// Dimensions: B = batch, T = input side, C = stream width, H = heads.
import Engine

/// F and G of a reversible Rev-MViT block.
public final class RevMViTBlock: ParameterOwner, ReversibleBlock {
    public let spec: MViTBlockSpec
    public let norm1: LayerNorm, attn: PoolingAttention, norm2: LayerNorm, mlp: MLP
    public let scopes: BlockScopes

    public init(_ prefix: String, _ spec: MViTBlockSpec) {
        self.spec = spec
        let c = spec.width
        norm1 = LayerNorm(qualified(prefix, "norm1"), c)
        attn = PoolingAttention(qualified(prefix, "attn"), inWidth: c, width: c, heads: spec.heads, qStride: 1,
                                kvStride: spec.kvStride, classToken: false, fusedQKV: false,
                                attention: spec.attention)
        norm2 = LayerNorm(qualified(prefix, "norm2"), c)
        mlp = MLP(qualified(prefix, "mlp"), width: c, hidden: 4 * c)
        scopes = BlockScopes(prefix)
    }

    public var parameters: [Parameter] { norm1.parameters + attn.parameters + norm2.parameters + mlp.parameters }

    public struct FSaved { let n: LayerNorm.Saved; let a: PoolingAttention.Saved }
    public struct GSaved { let n: LayerNorm.Saved; let m: MLP.Saved }

    public func forwardF(_ x: Tensor) -> (Tensor, FSaved) {
        let (h, n) = norm1.forward(x)
        let (y, a) = attn.forward(h, side: spec.side)
        return (y, FSaved(n: n, a: a))
    }
    public func backwardF(_ dy: Tensor, _ s: consuming FSaved) -> Tensor {
        let n = s.n, a = s.a
        _ = consume s
        return norm1.backward(attn.backward(dy, consume a), consume n)
    }

    public func forwardG(_ x: Tensor) -> (Tensor, GSaved) {
        let (h, n) = norm2.forward(x)
        let (y, m) = mlp.forward(h)
        return (y, GSaved(n: n, m: m))
    }
    public func backwardG(_ dy: Tensor, _ s: consuming GSaved) -> Tensor {
        let n = s.n, m = s.m
        _ = consume s
        return norm2.backward(mlp.backward(dy, consume m), consume n)
    }
}
