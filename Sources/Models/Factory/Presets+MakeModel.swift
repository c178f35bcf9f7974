// Building a model from a configuration: the one place that knows every model type (ViT, Rev-ViT, MViT, Rev-MViT),
// outside Configuration/ so that configurations, presets and their counts do not depend on the models.

extension Presets {
    /// Builds the model of `variant` for a validated configuration.
    /// With `initialize` false the weights stay zero (for counting parameters of models too big to fill).
    public static func makeModel(_ config: ModelConfiguration, variant: Variant, seed: UInt64 = 0,
                                 initialize: Bool = true) -> VisionModel {
        switch (config.family, variant) {
        case (.vit, .reversible): return ReversibleViT(config, seed: seed, initialize: initialize)
        case (.vit, _): return StandardViT(config, variant: variant, seed: seed, initialize: initialize)
        case (.mvit, .reversible): return ReversibleMViT(config, transitions: config.transitions, seed: seed, initialize: initialize)
        case (.mvit, _): return MViT(config, variant: variant, seed: seed, initialize: initialize)
        }
    }
}
