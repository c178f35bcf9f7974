// Transformer MLP: fc1 -> GELU -> fc2, forward and backward side by side.
// Dimensions: M = rows (B*N tokens), C = in width, E = hidden (mlp ratio x C), O = out width (C unless widening).
import Engine

/// Two linears with GELU between, timm's `Mlp` (fc1, fc2 names).
public final class MLP: ParameterOwner {
    public let fc1: Linear  // C -> E
    public let fc2: Linear  // E -> O
    let scopes: LayerScopes
    /// GELU's output (fc2's saved input), as timm's `act` module; its backward writes over fc2's input gradient.
    let activationScope: ScopeID

    public init(_ name: String, width: Int, hidden: Int, out: Int? = nil) {
        fc1 = Linear(qualified(name, "fc1"), width, hidden)
        fc2 = Linear(qualified(name, "fc2"), hidden, out ?? width)
        scopes = LayerScopes(name)
        activationScope = scopes.role("output", of: "act")
    }

    public var parameters: [Parameter] { fc1.parameters + fc2.parameters }

    /// What backward needs, as a standard framework keeps it: fc1's input, GELU's input, fc2's input.
    public struct Saved {
        public let fc1Saved: Linear.Saved  // x (M, C)
        public let geluSaved: GELU.Saved   // h (M, E)
        public let fc2Saved: Linear.Saved  // a = GELU(h) (M, E)
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let outer = Scopes.enter(scopes.forward)
        defer { Scopes.leave(outer) }
        let (h, s1) = fc1.forward(x)      // (M, E)
        let (a, sg) = Scopes.within(activationScope) { GELU.forward(h) }  // (M, E)
        let (y, s2) = fc2.forward(a)      // (M, O)
        return (y, Saved(fc1Saved: s1, geluSaved: sg, fc2Saved: s2))
    }

    /// Each layer's saved tensors are freed as soon as its backward has used them.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let fc1Saved = saved.fc1Saved, geluSaved = saved.geluSaved, fc2Saved = saved.fc2Saved
        _ = consume saved
        let outer = Scopes.enter(scopes.backward)
        defer { Scopes.leave(outer) }
        let da = fc2.backward(dy, consume fc2Saved)!                 // (M, E); frees GELU's output
        let dh = GELU.backward(da, consume geluSaved, inPlace: true)  // (M, E) over da (no allocation); frees fc1's output
        return fc1.backward(dh, consume fc1Saved)!                   // (M, C); frees the input
    }
}
