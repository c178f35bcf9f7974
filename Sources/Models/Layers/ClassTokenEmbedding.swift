// The class token and learned position embedding of the class-token models (ViT, MViT-B), forward and backward
// side by side: x = [cls; tokens] + pos.
// Dimensions: B = batch, Np = patch tokens, N = Np + 1, C = width.
import Engine

public final class ClassTokenEmbedding: ParameterOwner {
    public let clsToken: Parameter  // (1, 1, C)
    public let posEmbed: Parameter  // (1, N, C)
    public let width: Int
    /// The embedded tokens (the first block's input) and the gradient of the stem's tokens.
    let outputScope = Scopes.register(layer: "pos_embed", role: "output")
    let inputGradientScope = Scopes.register(layer: "pos_embed", role: "input gradient")

    public init(patches np: Int, width c: Int) {
        width = c
        clsToken = Parameter("cls_token", [1, 1, c])
        posEmbed = Parameter("pos_embed", [1, np + 1, c])
    }

    public var parameters: [Parameter] { [clsToken, posEmbed] }

    /// tokens (B, Np, C) -> x (B, N, C).
    public func forward(_ tokens: Tensor) -> Tensor {
        let b = tokens.shape[0], np = tokens.shape[1], c = width, n = np + 1
        let x = Tensor([b, n, c], zeroed: false, scope: outputScope)
        let pos = posEmbed.value.data, cls = clsToken.value.data
        for bi in 0..<b {
            let row = x.data + bi * n * c, src = tokens.data + bi * np * c
            for j in 0..<c { row[j] = cls[j] + pos[j] }
            for i in 0..<(np * c) { row[c + i] = src[i] + pos[c + i] }
        }
        return x
    }

    /// Adds dcls and dpos; returns d tokens (B, Np, C).
    public func backward(_ dx: Tensor) -> Tensor {
        let b = dx.shape[0], n = dx.shape[1], c = width, np = n - 1
        let dTokens = Tensor([b, np, c], zeroed: false, scope: inputGradientScope)
        let dPos = posEmbed.grad.data, dCls = clsToken.grad.data
        for bi in 0..<b {
            let row = dx.data + bi * n * c
            for i in 0..<(n * c) { dPos[i] += row[i] }
            for j in 0..<c { dCls[j] += row[j] }
            (dTokens.data + bi * np * c).update(from: row + c, count: np * c)
        }
        return dTokens
    }
}
