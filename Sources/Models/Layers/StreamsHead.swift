// The reversible models' head: LayerNorm over both streams' token means, then a Linear to the classes.
import Engine

/// LayerNorm over both streams, mean over tokens, Linear to the classes.
public final class StreamsHead: ParameterOwner {
    public let norm: LayerNorm  // 2C
    public let head: Linear     // 2C -> K
    /// The concatenated streams (norm's saved input) and the streams' gradients split from their gradient.
    let streamsScope = Scopes.register(ScopeName(region: .head, layer: "concat", role: "concatenated streams"))
    let streamGradientsScope = Scopes.register(ScopeName(region: .head, layer: "concat", role: "stream gradients"))

    public init(streamWidth c: Int, classes: Int) {
        norm = LayerNorm("norm", 2 * c)
        head = Linear("head", 2 * c, classes)
    }

    public var parameters: [Parameter] { norm.parameters + head.parameters }

    public struct Saved {
        let normSaved: LayerNorm.Saved  // [Y1, Y2] (B, N, 2C)
        let headSaved: Linear.Saved     // pooled (B, 2C)
        let tokens: Int
    }

    /// logits (B, K) from the streams (B, N, C) each.
    public func forward(_ y1: Tensor, _ y2: Tensor) -> (Tensor, Saved) {
        let streams = Scopes.within(streamsScope) { Elementwise.concatLastDim(y1, y2) }  // (B, N, 2C)
        let (normed, normSaved) = norm.forward(streams)
        let (logits, headSaved) = head.forward(TokenMean.forward(normed))          // (B, K)
        return (logits, Saved(normSaved: normSaved, headSaved: headSaved, tokens: y1.shape[1]))
    }

    /// Mean cross-entropy against `labels` and its gradients (dY1, dY2), each (B, N, C). Everything the head saved
    /// (the concatenated streams, logits, probabilities) is freed when this returns, before the blocks' backward.
    public func lossAndGradients(_ y1: Tensor, _ y2: Tensor, labels: [Int]) -> (loss: Float, dy1: Tensor, dy2: Tensor) {
        let (logits, saved) = forward(y1, y2)
        Ledger.shared.phase = .loss
        let (loss, lossSaved) = CrossEntropy.forward(logits, labels: labels)
        let (dy1, dy2) = backward(CrossEntropy.backwardEndingLoss(lossSaved), saved)
        return (loss, dy1, dy2)
    }

    /// (dY1, dY2), each (B, N, C).
    public func backward(_ dLogits: Tensor, _ saved: Saved) -> (Tensor, Tensor) {
        let dPooled = head.backward(dLogits, saved.headSaved)!                                     // (B, 2C)
        let dCat = norm.backward(TokenMean.backward(dPooled, tokens: saved.tokens), saved.normSaved) // (B, N, 2C)
        return Scopes.within(streamGradientsScope) { Elementwise.splitLastDim(dCat) }
    }
}
