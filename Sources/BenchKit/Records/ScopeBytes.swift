// Live bytes of one scope in one category: how a profiled step records what was live before it.

/// Live bytes of one scope in one category.
public struct ScopeBytes: Codable, Sendable, Equatable {
    public var scope: Int32
    public var category: Int
    public var bytes: Int
    public init(scope: Int32, category: Int, bytes: Int) { self.scope = scope; self.category = category; self.bytes = bytes }
}
