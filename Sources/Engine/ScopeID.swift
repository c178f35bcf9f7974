// The integer every tensor allocation carries to say where it was made (see Scopes): an index into the scope table,
// so no allocation builds a string.

/// A registered scope: an index into `Scopes`' table. 0 is `unknown` (nothing made the allocation's scope current).
public struct ScopeID: Hashable, Sendable, Comparable {
    public let raw: Int32
    public init(raw: Int32) { self.raw = raw }
    /// No scope was current: the allocation was made outside every named layer.
    public static let unknown = ScopeID(raw: 0)
    public var index: Int { Int(raw) }
    public static func < (a: ScopeID, b: ScopeID) -> Bool { a.raw < b.raw }
}
