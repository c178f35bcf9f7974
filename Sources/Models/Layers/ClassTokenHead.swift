// The class-token models' head (ViT, MViT-B), forward and backward side by side: LayerNorm on the class token's
// row, Linear, cross-entropy. LayerNorm is per token, so only that row is normalized (the others never reach the
// head). The reversible twins' head is StreamsHead.
// Dimensions: B = batch, N = tokens, C = width, K = classes.
import Engine

/// LayerNorm on the class token, Linear to the classes.
public final class ClassTokenHead: ParameterOwner {
    public let norm: LayerNorm  // C
    public let head: Linear     // C -> K
    /// The class token's rows (norm's saved input) and the gradient of the last block's output.
    let classRowsScope = Scopes.register(ScopeName(region: .head, layer: "cls_select", role: "class token rows"))
    let inputGradientScope = Scopes.register(ScopeName(region: .head, layer: "cls_select", role: "input gradient"))

    public init(width c: Int, classes: Int) {
        norm = LayerNorm("norm", c)
        head = Linear("head", c, classes)
    }

    public var parameters: [Parameter] { norm.parameters + head.parameters }

    /// Class-token rows of x (B, N, C) -> (B, C).
    static func classRows(_ x: Tensor, scope: ScopeID? = nil) -> Tensor {
        let b = x.shape[0], n = x.shape[1], c = x.shape[2]
        let cls = Tensor([b, c], zeroed: false, scope: scope)
        for bi in 0..<b { (cls.data + bi * c).update(from: x.data + bi * n * c, count: c) }
        return cls
    }

    /// logits (B, K) from x (B, N, C), keeping nothing.
    public func logits(_ x: Tensor) -> Tensor {
        head.forward(norm.forward(Self.classRows(x, scope: classRowsScope)).0).0
    }

    /// Mean cross-entropy against `labels` and its gradient with respect to x (zero except the class rows).
    /// Everything the head saved is freed when this returns.
    public func lossAndGradient(_ x: Tensor, labels: [Int]) -> (Float, Tensor) {
        let b = x.shape[0], n = x.shape[1], c = x.shape[2]
        let (normed, normSaved) = norm.forward(Self.classRows(x, scope: classRowsScope))
        let (logits, headSaved) = head.forward(normed)
        Ledger.shared.phase = .loss
        let (loss, lossSaved) = CrossEntropy.forward(logits, labels: labels)
        let dCls = norm.backward(head.backward(CrossEntropy.backwardEndingLoss(lossSaved), headSaved)!, normSaved)  // (B, C)
        let dx = Tensor([b, n, c], scope: inputGradientScope)                    // zeroed
        for bi in 0..<b { (dx.data + bi * n * c).update(from: dCls.data + bi * c, count: c) }
        return (loss, dx)
    }
}
