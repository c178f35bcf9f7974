// Where an allocation was made: a small integer (ScopeID) that names a region (stem, a block, head, loss,
// optimizer, input), the layer or sublayer and the tensor's role. Layers register their scopes once, when they are
// built; forward and backward only hand the integer to the tensors they allocate, or make it current around calls
// into helpers that allocate (Elementwise, GELU, the attention cores). Storage captures it at allocation, and the
// ledger keeps live bytes per scope, so no allocation builds a string.

/// A registered scope: an index into `Scopes`' table. 0 is `unknown` (nothing made the allocation's scope current).
public struct ScopeID: Hashable, Sendable, Comparable {
    public let raw: Int32
    public init(raw: Int32) { self.raw = raw }
    /// No scope was current: the allocation was made outside every named layer.
    public static let unknown = ScopeID(raw: 0)
    public var index: Int { Int(raw) }
    public static func < (a: ScopeID, b: ScopeID) -> Bool { a.raw < b.raw }
}

/// The part of a training step an allocation belongs to.
public enum ScopeRegion: String, CaseIterable, Codable, Sendable {
    case unknown, input, stem, block, head, loss, optimizer
    /// A layer built on its own, outside a model (tests).
    case standalone
}

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

/// The process-wide scope table and the scope current on the (single) allocating thread.
public enum Scopes {
    /// The scope that allocations without an explicit one are charged to. Read once per allocation.
    public nonisolated(unsafe) static var current = ScopeID.unknown
    nonisolated(unsafe) private static var names: [ScopeName] = [ScopeName(region: .unknown, layer: "", role: "unknown")]
    nonisolated(unsafe) private static var ids: [ScopeName: ScopeID] = [names[0]: .unknown]

    /// The id of `name`, registered on first use (the same name always gets the same id). Called when layers are
    /// built, never per allocation.
    public static func register(_ name: ScopeName) -> ScopeID {
        if let id = ids[name] { return id }
        let id = ScopeID(raw: Int32(names.count))
        names.append(name)
        ids[name] = id
        return id
    }

    /// The id of `role` of the layer called `qualifiedName` (see `ScopeName.init(layer:role:)`).
    public static func register(layer qualifiedName: String, role: String) -> ScopeID {
        register(ScopeName(layer: qualifiedName, role: role))
    }

    /// The step's input batch (images), allocated by whoever runs the step.
    public static let inputBatch = register(ScopeName(region: .input, layer: "batch", role: "images"))

    /// What `id` names.
    public static func name(_ id: ScopeID) -> ScopeName { names[id.index] }

    /// Every registered name, indexed by id.
    public static var table: [ScopeName] { names }

    /// Makes `id` current and returns the scope it replaced, for `leave`.
    @inline(__always) public static func enter(_ id: ScopeID) -> ScopeID {
        let outer = current
        current = id
        return outer
    }

    /// Restores the scope `enter` returned.
    @inline(__always) public static func leave(_ outer: ScopeID) { current = outer }

    /// Runs `body` with `id` current (for calls into helpers that allocate: Elementwise, GELU, attention cores).
    @inline(__always) public static func within<R>(_ id: ScopeID, _ body: () throws -> R) rethrows -> R {
        let outer = enter(id)
        defer { leave(outer) }
        return try body()
    }
}
