// The standard ViT (timm's VisionTransformer layout) trained two ways: storing every block's saved tensors
// (.standard), or keeping only each block's input and recomputing the block in backward (.checkpointed).
// Forward and backward are the class-token skeleton's (ClassTokenModel).
// Dimensions: B = batch, Np = patches, N = Np + 1 tokens (class token first), C = width, K = classes.
import Engine

/// patch embed -> [cls; tokens] + pos -> blocks -> LayerNorm -> head on the class token.
public final class StandardViT: ClassTokenModel {
    public let config: ModelConfiguration
    public let variant: Variant
    public let stem: PatchEmbed                // (B, Cin, S, S) -> (B, Np, C)
    public let embedding: ClassTokenEmbedding  // cls token (1, 1, C) and pos (1, N, C)
    public let blocks: [TransformerBlock]
    public let head: ClassTokenHead            // LayerNorm(C) on the class token, Linear C -> K
    public var dropPathRNG: SeededRNG

    public init(_ config: ModelConfiguration, variant: Variant = .standard, seed: UInt64 = 0, initialize: Bool = true) {
        precondition(variant != .reversible, "StandardViT trains as .standard or .checkpointed")
        self.config = config
        self.variant = variant
        let c = config.width
        stem = PatchEmbed("patch_embed", imageSize: config.imageSize, patch: config.patchSize,
                          channels: config.channels, width: c)
        embedding = ClassTokenEmbedding(patches: config.patches, width: c)
        blocks = (0..<config.depth).map { TransformerBlock("blocks.\($0)", width: c, heads: config.heads, mlpRatio: config.mlpRatio,
                                                     attention: config.attention) }
        head = ClassTokenHead(width: c, classes: config.classes)
        dropPathRNG = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        stem.parameters + embedding.parameters + blocks.flatMap(\.parameters) + head.parameters
    }
}
