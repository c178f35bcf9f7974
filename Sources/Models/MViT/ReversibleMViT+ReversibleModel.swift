// Rev-MViT is a reversible model: its backprop mode, reconstruction errors and drop-path generator.

/// Rev-MViT offers what `ReversibleModel` asks for.
extension ReversibleMViT: ReversibleModel {}
