// Named model presets in timm style. A preset names a pair: the standard ViT and its reversible twin share the
// same sizes, so `vit_small_patch16_224` and `rev_vit_small_patch16_224` are the same pair seen from either side.
// Building a preset's model is Factory/Presets+MakeModel.swift's job.

public enum Presets {
    private static func pair(_ base: String, _ config: ModelConfiguration, _ summary: String) -> [ModelPreset] {
        var config = config
        config.model = base
        return [ModelPreset(name: base, pairName: base, architecture: .standard, config: config, summary: summary),
         ModelPreset(name: "rev_" + base, pairName: base, architecture: .reversible, config: config,
                     summary: "reversible " + summary)]
    }

    /// Every preset, standard then reversible for each size.
    public static let all: [ModelPreset] =
        pair("vit_small_patch16_224", ModelConfiguration(imageSize: 224, patchSize: 16, width: 384, depth: 12, heads: 6), "ViT-S/16")
        + pair("vit_base_patch16_224", ModelConfiguration(imageSize: 224, patchSize: 16, width: 768, depth: 12, heads: 12), "ViT-B/16")
        + pair("vit_large_patch16_224", ModelConfiguration(imageSize: 224, patchSize: 16, width: 1024, depth: 24, heads: 16), "ViT-L/16")
        + pair("vit_tiny_test", ModelConfiguration(imageSize: 32, patchSize: 8, width: 32, depth: 4, heads: 2, classes: 10),
               "tiny ViT for tests and CI")
        + mvitPair("mvit_base_16", ModelConfiguration(imageSize: 224, patchSize: 4, width: 96, depth: 16, heads: 1), "MViT-B-16")
        + mvitPair("mvit_tiny_test", ModelConfiguration(imageSize: 64, patchSize: 4, width: 16, depth: 7, heads: 1, classes: 10),
                   "tiny MViT for tests")

    private static func mvitPair(_ base: String, _ config: ModelConfiguration, _ summary: String) -> [ModelPreset] {
        var c = config
        c.family = .mvit
        c.model = base
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

    /// The one place a preset and the user's settings become a configuration: the preset called `name` (either
    /// twin's name), changed by `change`, validated. Every command resolves each configuration once, here.
    public static func configuration(_ name: String, _ change: (inout ModelConfiguration) throws -> Void = { _ in })
        throws -> ModelConfiguration {
        var c = try named(name).config
        try change(&c)
        try c.validate()
        return c
    }
}
