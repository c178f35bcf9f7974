// A problem found before anything runs: bench prints its message as one error: line and exits 64.

/// Problems found before anything runs; `bench` prints the message and exits non-zero.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
