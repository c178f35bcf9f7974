// Where an allocation was made: a small integer (ScopeID) that names a region (stem, a block, head, loss,
// optimizer, input), the layer or sublayer and the tensor's role. Layers register their scopes once, when they are
// built; forward and backward only hand the integer to the tensors they allocate, or make it current around calls
// into helpers that allocate (Elementwise, GELU, the attention cores). Storage captures it at allocation, and the
// ledger keeps live bytes per scope, so no allocation builds a string.

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

    /// The zero-byte event the ledger records where a step phase begins, so the timeline marks phases that
    /// allocate nothing (AdamW's update works in place) and ends where the step ends.
    public static let phaseBegins = register(ScopeName(region: .step, layer: "", role: "phase begins"))

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
