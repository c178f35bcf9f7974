// Named model presets in timm style. A preset names a pair: the standard ViT and its reversible twin share the
// same sizes, so `vit_small_patch16_224` and `rev_vit_small_patch16_224` are the same pair seen from either side.

/// A named configuration with the family it belongs to.
public struct ModelPreset: Sendable {
    public let name: String
    /// The preset of the standard twin (the pair's key).
    public let pairName: String
    /// The architecture this name refers to (`.reversible` for rev_ names, `.standard` otherwise).
    public let architecture: Variant
    public let config: ViTConfig
    public let summary: String
}

/// User overrides of a preset's sizes (nil = keep the preset's value).
public struct ConfigOverrides: Codable, Equatable, Sendable {
    public var depth: Int?, width: Int?, heads: Int?, imageSize: Int?, patchSize: Int?, classes: Int?
    public var dropPath: Float?
    public var transitions: TransitionBackprop?
    public var attention: AttentionKind?
    public init(depth: Int? = nil, width: Int? = nil, heads: Int? = nil, imageSize: Int? = nil,
                patchSize: Int? = nil, classes: Int? = nil, dropPath: Float? = nil, transitions: TransitionBackprop? = nil,
                attention: AttentionKind? = nil) {
        self.depth = depth; self.width = width; self.heads = heads; self.imageSize = imageSize
        self.patchSize = patchSize; self.classes = classes; self.dropPath = dropPath; self.transitions = transitions
        self.attention = attention
    }

    /// `config` with every set override applied.
    public func applied(to config: ViTConfig) -> ViTConfig {
        var c = config
        if let depth { c.depth = depth }
        if let width { c.width = width }
        if let heads { c.heads = heads }
        if let imageSize { c.imageSize = imageSize }
        if let patchSize { c.patchSize = patchSize }
        if let classes { c.classes = classes }
        if let dropPath { c.dropPath = dropPath }
        if let transitions { c.transitions = transitions }
        if let attention { c.attention = attention }
        return c
    }
}

public enum Presets {
    private static func pair(_ base: String, _ config: ViTConfig, _ summary: String) -> [ModelPreset] {
        [ModelPreset(name: base, pairName: base, architecture: .standard, config: config, summary: summary),
         ModelPreset(name: "rev_" + base, pairName: base, architecture: .reversible, config: config,
                     summary: "reversible " + summary)]
    }

    /// Every preset, standard then reversible for each size.
    public static let all: [ModelPreset] =
        pair("vit_small_patch16_224", ViTConfig(imageSize: 224, patchSize: 16, width: 384, depth: 12, heads: 6), "ViT-S/16")
        + pair("vit_base_patch16_224", ViTConfig(imageSize: 224, patchSize: 16, width: 768, depth: 12, heads: 12), "ViT-B/16")
        + pair("vit_large_patch16_224", ViTConfig(imageSize: 224, patchSize: 16, width: 1024, depth: 24, heads: 16), "ViT-L/16")
        + pair("vit_tiny_test", ViTConfig(imageSize: 32, patchSize: 8, width: 32, depth: 4, heads: 2, classes: 10),
               "tiny ViT for tests and CI")
        + mvitPair("mvit_base_16", ViTConfig(imageSize: 224, patchSize: 4, width: 96, depth: 16, heads: 1), "MViT-B-16")
        + mvitPair("mvit_tiny_test", ViTConfig(imageSize: 64, patchSize: 4, width: 16, depth: 7, heads: 1, classes: 10),
                   "tiny MViT for tests")

    private static func mvitPair(_ base: String, _ config: ViTConfig, _ summary: String) -> [ModelPreset] {
        var c = config
        c.family = .mvit
        return [ModelPreset(name: base, pairName: base, architecture: .standard, config: c, summary: summary),
                ModelPreset(name: "rev_" + base, pairName: base,
                            architecture: .reversible, config: c, summary: "reversible " + summary)]
    }

    public static var names: [String] { all.map(\.name) }

    /// The preset called `name`, or a `ConfigError` listing the known names.
    public static func named(_ name: String) throws -> ModelPreset {
        guard let p = all.first(where: { $0.name == name }) else {
            throw ConfigError("unknown model '\(name)'; known models: \(names.joined(separator: ", "))")
        }
        return p
    }

    /// Builds the model of `variant` for the pair named `name`, with overrides, after validation.
    public static func makeModel(_ name: String, variant: Variant, overrides: ConfigOverrides = ConfigOverrides(),
                                 seed: UInt64 = 0) throws -> VisionModel {
        let config = overrides.applied(to: try named(name).config)
        try config.validate()
        return makeModel(config, variant: variant, seed: seed)
    }

    /// Builds the model of `variant` for a validated configuration.
    /// With `initialize` false the weights stay zero (for counting parameters of models too big to fill).
    public static func makeModel(_ config: ViTConfig, variant: Variant, seed: UInt64 = 0,
                                 initialize: Bool = true) -> VisionModel {
        switch (config.family, variant) {
        case (.vit, .reversible): return ReversibleViT(config, seed: seed, initialize: initialize)
        case (.vit, _): return StandardViT(config, variant: variant, seed: seed, initialize: initialize)
        case (.mvit, .reversible): return ReversibleMViT(config, transitions: config.transitions, seed: seed, initialize: initialize)
        case (.mvit, _): return MViT(config, variant: variant, seed: seed, initialize: initialize)
        }
    }
}
