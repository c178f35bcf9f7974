// What a scope names: region, block index, layer path and the tensor's role, parsed once from a layer's PyTorch
// module path when the layer is built.

/// What a scope names: region, block index (blocks only), layer path inside it, and the tensor's role.
public struct ScopeName: Hashable, Codable, Sendable, CustomStringConvertible {
    public var region: ScopeRegion
    /// The block index for `.block`, nil elsewhere.
    public var block: Int?
    /// The layer or sublayer inside the region, e.g. "attn.qkv" or "mlp.fc1" (PyTorch's module path).
    public var layer: String
    /// What the tensor is for, e.g. "output", "probabilities", "input gradient", "workspace".
    public var role: String

    public init(region: ScopeRegion, block: Int? = nil, layer: String, role: String) {
        self.region = region; self.block = block; self.layer = layer; self.role = role
    }

    /// The scope of a role of the layer called `qualifiedName` (a PyTorch module path such as "blocks.3.attn.qkv"):
    /// "blocks.N.rest" is block N's layer "rest"; patch_embed, pos_embed and cls_token are the stem; norm and
    /// head are the head; any other name is a layer used on its own (as tests do).
    public init(layer qualifiedName: String, role: String) {
        let parts = qualifiedName.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 2, parts[0] == "blocks", let i = Int(parts[1]) {
            self.init(region: .block, block: i, layer: parts.dropFirst(2).joined(separator: "."), role: role)
        } else if ["patch_embed", "pos_embed", "cls_token"].contains(parts[0]) {
            self.init(region: .stem, layer: qualifiedName, role: role)
        } else if ["norm", "head"].contains(parts[0]) {
            self.init(region: .head, layer: qualifiedName, role: role)
        } else {
            self.init(region: .standalone, layer: qualifiedName, role: role)
        }
    }

    /// "block 3 · attn.qkv · output", "head · norm · output".
    public var description: String {
        let place = block.map { "block \($0)" } ?? region.rawValue
        return layer.isEmpty ? "\(place) · \(role)" : "\(place) · \(layer) · \(role)"
    }
}
