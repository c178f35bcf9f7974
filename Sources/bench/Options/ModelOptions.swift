// The preset and depth of a command that looks at one configuration without measuring it in children (predict,
// attention): the same two options, declared once.
import ArgumentParser
import Models

/// A preset and its depth; with `SizeOptions` they resolve the command's one configuration.
struct ModelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Model preset (see `bench list`).")
    var model = "vit_small_patch16_224"
    @Option(parsing: .unconditional, help: "Depth in blocks (overrides the preset).")
    var depth: Int?

    /// The preset with `sizes` and the depth applied and validated (`SizeOptions.configuration`).
    func configuration(_ sizes: SizeOptions) throws -> ModelConfiguration { try sizes.configuration(model, depth: depth) }
}
