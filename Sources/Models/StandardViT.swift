// The standard ViT (timm's VisionTransformer layout) trained two ways: storing every block's saved tensors
// (.standard), or keeping only each block's input and recomputing the block in backward (.checkpointed).
// Dimensions: B = batch, Np = patches, N = Np + 1 tokens (class token first), C = width, K = classes.
import Engine

/// patch embed -> [cls; tokens] + pos -> blocks -> LayerNorm -> head on the class token.
public final class StandardViT: VisionModel {
    public let config: ViTConfig
    public let variant: Variant
    public let patchEmbed: PatchEmbed
    public let embedding: ClassTokenEmbedding  // cls token (1, 1, C) and pos (1, N, C)
    public let blocks: [TransformerBlock]
    public let head: ClassTokenHead  // LayerNorm(C) on the class token, Linear C -> K
    /// Keeps one extra (B, N, C) tensor per block alive across the step; for tests of the regression check only.
    public var testingKeepsExtraActivation = false
    private var rng: SeededRNG

    public init(_ config: ViTConfig, variant: Variant = .standard, seed: UInt64 = 0, initialize: Bool = true) {
        precondition(variant != .reversible, "StandardViT trains as .standard or .checkpointed")
        self.config = config
        self.variant = variant
        let c = config.width
        patchEmbed = PatchEmbed("patch_embed", imageSize: config.imageSize, patch: config.patchSize,
                                channels: config.channels, width: c)
        embedding = ClassTokenEmbedding(patches: config.patches, width: c)
        blocks = (0..<config.depth).map { TransformerBlock("blocks.\($0)", width: c, heads: config.heads, mlpRatio: config.mlpRatio) }
        head = ClassTokenHead(width: c, classes: config.classes)
        rng = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        patchEmbed.parameters + embedding.parameters + blocks.flatMap(\.parameters) + head.parameters
    }

    // MARK: embedding

    /// x (B, N, C) = [cls; patch_embed(images)] + pos.
    private func embed(_ images: Tensor) -> (Tensor, PatchEmbed.Saved) {
        let (tokens, saved) = patchEmbed.forward(images)
        return (embedding.forward(tokens), saved)
    }

    private func embedBackward(_ dx: Tensor, _ saved: PatchEmbed.Saved) {
        patchEmbed.backward(embedding.backward(dx), saved)
    }

    // MARK: training

    public func forwardBackward(images: Tensor, labels: [Int]) -> Float {
        let b = images.shape[0]
        let masks = DropPath.drawMasks(blocks: blocks.count, config: config, batch: b, rng: &rng)
        let (x, embedSaved) = embed(images)
        let (loss, dx) = BlockStack.train(x, count: blocks.count, variant: variant, keepExtra: testingKeepsExtraActivation,
            forward: { i, x in self.blocks[i].forward(x, masks: masks[i]) },
            backward: { i, dy, saved in self.blocks[i].backward(dy, saved) },
            head: { x in self.head.lossAndGradient(x, labels: labels) })
        embedBackward(dx, embedSaved)
        return loss
    }

    public func logits(images: Tensor) -> Tensor {
        var (x, _) = embed(images)
        for block in blocks { x = block.forward(x).0 }
        return head.logits(x)
    }
}
