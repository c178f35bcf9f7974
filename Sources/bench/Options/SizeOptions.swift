// The options that change a preset, shared by every command that builds a model: each is one ModelConfiguration
// field, applied where the command's configuration is resolved.
import ArgumentParser
import BenchKit
import Engine
import Models

/// Settings that change a preset: each option is one `ModelConfiguration` field, applied in `configuration`.
struct SizeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Embedding width (overrides the preset; must be divisible by --heads).")
    var width: Int?
    @Option(parsing: .unconditional, help: "Attention heads (overrides the preset).")
    var heads: Int?
    @Option(parsing: .unconditional, help: "Image side in pixels (overrides the preset; must be divisible by --patch-size).")
    var imageSize: Int?
    @Option(parsing: .unconditional, help: "Patch side in pixels (overrides the preset).")
    var patchSize: Int?
    @Option(parsing: .unconditional, help: "Number of classes of the head (overrides the preset).")
    var classes: Int?
    @Option(parsing: .unconditional, help: "Stochastic depth rate of the last block, in [0, 1) (default 0).")
    var dropPath: Float?
    @Option(parsing: .unconditional, help: "Rev-MViT's stage transitions in backward: store (their saved tensors, the paper's code) or recompute (keep only their input).")
    var transitions: TransitionBackprop?
    @Option(parsing: .unconditional, help: "Attention core (ViT and MViT): math (the probabilities kept for backward, the paper's) or fused (only each row's log-sum-exp kept; recomputed in backward).")
    var attention: AttentionKind?

    /// The whole-number settings: each option's name, its value and the field it sets.
    var counts: [(option: String, value: Int?, field: WritableKeyPath<ModelConfiguration, Int>)] {
        [("--width", width, \.width), ("--heads", heads, \.heads), ("--image-size", imageSize, \.imageSize),
         ("--patch-size", patchSize, \.patchSize), ("--classes", classes, \.classes)]
    }

    /// Refuses a size that is not a positive integer, naming its option.
    func checkPositive(depth: Int?) throws {
        for (name, v, _) in counts + [("--depth", depth, \.depth)] {
            if let v, v < 1 { throw BenchError("\(name) must be a positive integer, got \(v)") }
        }
    }

    /// The preset `model` with these settings (and `depth`, each command's own option) applied and validated: the
    /// one resolution of a command's configuration.
    func configuration(_ model: String, depth: Int?) throws -> ModelConfiguration {
        try checkPositive(depth: depth)
        return try Presets.configuration(model) { c in
            if let depth { c.depth = depth }
            for (_, value, field) in counts { if let value { c[keyPath: field] = value } }
            if let dropPath { c.dropPath = dropPath }
            if let transitions { c.transitions = transitions }
            if let attention { c.attention = attention }
        }
    }
}
