// Rev-ViT is a reversible model: its backprop mode, reconstruction errors and drop-path generator.

/// Rev-ViT offers what `ReversibleModel` asks for.
extension ReversibleViT: ReversibleModel {}
