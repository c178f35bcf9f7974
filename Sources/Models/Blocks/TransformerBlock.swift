// A standard pre-norm ViT block, x1 = x + F(x); y = x1 + G(x1), forward and backward side by side.
// Dimensions: B = batch, N = tokens, C = width.
import Engine

/// The block of the standard and checkpointed twins (and, as F and G, of the reversible twin).
public final class TransformerBlock: ParameterOwner {
    public let f: AttentionSublayer
    public let g: MLPSublayer
    public let scopes: BlockScopes

    public init(_ prefix: String, width: Int, heads: Int, mlpRatio: Int = 4, attention: AttentionKind = .math) {
        f = AttentionSublayer(prefix, width: width, heads: heads, attention: attention)
        g = MLPSublayer(prefix, width: width, hidden: width * mlpRatio)
        scopes = BlockScopes(prefix)
    }

    public var parameters: [Parameter] { f.parameters + g.parameters }

    public struct Saved {
        public let fSaved: AttentionSublayer.Saved  // keeps x (B, N, C) and attention's buffers
        public let gSaved: MLPSublayer.Saved        // keeps x1 (B, N, C) and the MLP's buffers
        public let masks: DropPathMasks
    }

    public func forward(_ x: Tensor, masks: DropPathMasks = DropPathMasks()) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.layer.forward)
        defer { Scopes.leave(outer) }
        let (fx, fSaved) = f.forward(x)
        DropPath.apply(fx, masks.f)
        let x1 = Scopes.within(scopes.residual) { Elementwise.add(x, fx) }  // (B, N, C)
        let (gx, gSaved) = g.forward(x1)
        DropPath.apply(gx, masks.g)
        let y = Scopes.within(scopes.output) { Elementwise.add(x1, gx) }    // (B, N, C)
        return (y, Saved(fSaved: fSaved, gSaved: gSaved, masks: masks))
    }

    /// dx = dx1 + F'(x)^T dx1, with dx1 = dy + G'(x1)^T dy. Takes dy and the saved tensors over and frees each
    /// as soon as it is used, as autograd does.
    public func backward(_ dy: consuming Tensor, _ saved: consuming Saved) -> Tensor {
        let fSaved = saved.fSaved, gSaved = saved.gSaved, masks = saved.masks
        _ = consume saved
        let outer = Scopes.enter(scopes.layer.backward)
        defer { Scopes.leave(outer) }
        let dx1 = g.backward(DropPath.backward(dy, masks.g), consume gSaved)
        Elementwise.accumulate(dx1, dy)
        _ = consume dy
        let dx = f.backward(DropPath.backward(dx1, masks.f), consume fSaved)
        Elementwise.accumulate(dx, dx1)
        return dx
    }
}
