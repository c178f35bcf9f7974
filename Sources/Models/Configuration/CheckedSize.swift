// What a configuration needs (parameters, predicted memory), known to fit 64-bit arithmetic.

/// What a configuration needs, known to fit 64-bit arithmetic.
public struct CheckedSize: Sendable {
    public let parameterCount: Int
    public let prediction: MemoryPrediction
}
