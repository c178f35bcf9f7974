// A configuration that cannot be built, with a message naming the values.

/// A configuration that cannot be built, with a message naming the values.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
