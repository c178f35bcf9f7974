// MViT-B-16 (MViTv1, ImageNet) trained as .standard (stores every block's saved tensors) or .checkpointed (keeps
// each block's input, recomputes the block in backward). Forward and backward are the class-token skeleton's
// (ClassTokenModel).
// Dimensions: B = batch, N = 1 + S*S tokens (class token first), C = stage width, K = classes.
import Engine

/// stem -> [cls; tokens] + pos -> 16 multiscale blocks -> LayerNorm -> head on the class token.
public final class MViT: ClassTokenModel {
    public let config: ModelConfiguration
    public let variant: Variant
    public let plan: MViTPlan
    public let stem: ConvStem          // 7x7 stride 4 pad 3, 3 -> w
    public let embedding: ClassTokenEmbedding  // cls token (1, 1, C) and pos (1, N, C)
    public let blocks: [MViTBlock]
    public let head: ClassTokenHead    // LayerNorm(8w) on the class token, Linear 8w -> K
    public var dropPathRNG: SeededRNG

    public init(_ config: ModelConfiguration, variant: Variant = .standard, seed: UInt64 = 0, initialize: Bool = true) {
        precondition(variant != .reversible, "MViT trains as .standard or .checkpointed")
        self.config = config
        self.variant = variant
        plan = MViTPlan(config)
        stem = ConvStem("patch_embed", imageSize: config.imageSize, channels: config.channels, width: config.width,
                        kernel: 7, stride: config.patchSize, padding: 3)
        let n = 1 + plan.gridSide * plan.gridSide
        embedding = ClassTokenEmbedding(patches: n - 1, width: config.width)
        blocks = plan.blocks.map { MViTBlock("blocks.\($0.index)", $0) }
        let last = plan.blocks.last!.outWidth
        head = ClassTokenHead(width: last, classes: config.classes)
        dropPathRNG = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        stem.parameters + embedding.parameters + blocks.flatMap(\.parameters) + head.parameters
    }
}
