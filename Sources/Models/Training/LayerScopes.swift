// The scopes one layer instance names when it is built, so its forward and backward charge every tensor they
// allocate to a place (block, layer, role) with no work per allocation beyond handing over an integer.
import Engine

/// The scopes of one layer instance: what its forward and backward allocate without naming a role, and its roles.
public struct LayerScopes {
    /// The layer's PyTorch module path, e.g. "blocks.3.attn.qkv".
    public let name: String
    /// Unnamed allocations of the forward (a copy nobody labelled lands here, not in "unknown").
    public let forward: ScopeID
    /// Unnamed allocations of the backward.
    public let backward: ScopeID

    public init(_ name: String) {
        self.name = name
        forward = Scopes.register(layer: name, role: "forward, unnamed")
        backward = Scopes.register(layer: name, role: "backward, unnamed")
    }

    /// The scope of `role` of this layer (registered on first use; call it when the layer is built).
    public func role(_ role: String) -> ScopeID { Scopes.register(layer: name, role: role) }

    /// The scope of `role` of the sublayer `sub` (a helper without parameters of its own, e.g. "act" for GELU).
    public func role(_ role: String, of sub: String) -> ScopeID {
        Scopes.register(layer: qualified(name, sub), role: role)
    }
}
