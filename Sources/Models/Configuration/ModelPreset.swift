// A named preset: one side (standard or reversible) of a model pair and its configuration.

/// A named configuration with the family it belongs to.
public struct ModelPreset: Sendable {
    public let name: String
    /// The preset of the standard twin (the pair's key).
    public let pairName: String
    /// The architecture this name refers to (`.reversible` for rev_ names, `.standard` otherwise).
    public let architecture: Variant
    public let config: ModelConfiguration
    public let summary: String
}
