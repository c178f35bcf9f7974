// The two classification heads, forward and backward side by side.
// ClassTokenHead (ViT, MViT-B): LayerNorm on the class token's row, Linear, cross-entropy. LayerNorm is per token,
//   so only that row is normalized (the others never reach the head).
// StreamsHead (Rev-ViT, Rev-MViT-B): LayerNorm over the concatenated streams [Y1, Y2], mean over tokens, Linear.
// Dimensions: B = batch, N = tokens, C = width, K = classes.
import Engine

public final class ClassTokenHead: ParameterOwner {
    public let norm: LayerNorm  // C
    public let head: Linear     // C -> K

    public init(width c: Int, classes: Int) {
        norm = LayerNorm("norm", c)
        head = Linear("head", c, classes)
    }

    public var parameters: [Parameter] { norm.parameters + head.parameters }

    /// Class-token rows of x (B, N, C) -> (B, C).
    static func classRows(_ x: Tensor) -> Tensor {
        let b = x.shape[0], n = x.shape[1], c = x.shape[2]
        let cls = Tensor([b, c], zeroed: false)
        for bi in 0..<b { (cls.data + bi * c).update(from: x.data + bi * n * c, count: c) }
        return cls
    }

    /// logits (B, K) from x (B, N, C), keeping nothing.
    public func logits(_ x: Tensor) -> Tensor {
        head.forward(norm.forward(Self.classRows(x)).0).0
    }

    /// Mean cross-entropy against `labels` and its gradient with respect to x (zero except the class rows).
    /// Everything the head saved is freed when this returns.
    public func lossAndGradient(_ x: Tensor, labels: [Int]) -> (Float, Tensor) {
        let b = x.shape[0], n = x.shape[1], c = x.shape[2]
        let (normed, normSaved) = norm.forward(Self.classRows(x))
        let (logits, headSaved) = head.forward(normed)
        let (loss, lossSaved) = CrossEntropy.forward(logits, labels: labels)
        let dCls = norm.backward(head.backward(CrossEntropy.backward(lossSaved), headSaved)!, normSaved)  // (B, C)
        let dx = Tensor([b, n, c])                                                                        // zeroed
        for bi in 0..<b { (dx.data + bi * n * c).update(from: dCls.data + bi * c, count: c) }
        return (loss, dx)
    }
}

public final class StreamsHead: ParameterOwner {
    public let norm: LayerNorm  // 2C
    public let head: Linear     // 2C -> K

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
        let (normed, normSaved) = norm.forward(Elementwise.concatLastDim(y1, y2))  // (B, N, 2C)
        let (logits, headSaved) = head.forward(TokenMean.forward(normed))          // (B, K)
        return (logits, Saved(normSaved: normSaved, headSaved: headSaved, tokens: y1.shape[1]))
    }

    /// Mean cross-entropy against `labels` and its gradients (dY1, dY2), each (B, N, C). Everything the head saved
    /// (the concatenated streams, logits, probabilities) is freed when this returns, before the blocks' backward.
    public func lossAndGradients(_ y1: Tensor, _ y2: Tensor, labels: [Int]) -> (loss: Float, dy1: Tensor, dy2: Tensor) {
        let (logits, saved) = forward(y1, y2)
        let (loss, lossSaved) = CrossEntropy.forward(logits, labels: labels)
        let (dy1, dy2) = backward(CrossEntropy.backward(lossSaved), saved)
        return (loss, dy1, dy2)
    }

    /// (dY1, dY2), each (B, N, C).
    public func backward(_ dLogits: Tensor, _ saved: Saved) -> (Tensor, Tensor) {
        let dPooled = head.backward(dLogits, saved.headSaved)!                                     // (B, 2C)
        let dCat = norm.backward(TokenMean.backward(dPooled, tokens: saved.tokens), saved.normSaved) // (B, N, 2C)
        return Elementwise.splitLastDim(dCat)
    }
}
