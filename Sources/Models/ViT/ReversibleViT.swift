// Rev-ViT: two residual streams that both start as the patch embedding, reversible blocks, LayerNorm over the
// concatenated streams, mean over tokens, linear head. Backward reconstructs each block's inputs from its outputs
// and recomputes F and G, so activation memory does not grow with depth.
//
// Block i (F = Attn(LN(.)), G = MLP(LN(.)), the sublayers of the standard block without inner residuals):
//   Y1 = X1 + F(X2)        inverse:  X2 = Y2 - G(Y1)
//   Y2 = X2 + G(Y1)                  X1 = Y1 - F(X2)
// Dimensions: B = batch, N = patches (no class token), C = width, K = classes.
import Engine

/// The reversible twin of `StandardViT`, sharing its block type.
public final class ReversibleViT: VisionModel {
    public let config: ModelConfiguration
    public let variant: Variant = .reversible
    public var backprop: ReversibleBackprop
    public let patchEmbed: PatchEmbed
    public let position: PositionEmbedding  // (1, N, C)
    public let blocks: [TransformerBlock]
    public let head: StreamsHead             // LayerNorm over [Y1, Y2] (2C), mean over tokens, Linear 2C -> K
    /// When set, forward keeps every block's inputs and backward records max |reconstructed - forward| per block.
    public var recordsReconstructionError = false
    /// Per block (index 0 = first block): how well backward rebuilt X1 and X2, against the forward's.
    public private(set) var reconstructionErrors: [ReconstructionError] = []
    /// Draws the drop-path masks of each step (saved and restored to replay a step exactly).
    public var dropPathRNG: SeededRNG

    public init(_ config: ModelConfiguration, backprop: ReversibleBackprop = .recompute, seed: UInt64 = 0, initialize: Bool = true) {
        self.config = config
        self.backprop = backprop
        let c = config.width
        patchEmbed = PatchEmbed("patch_embed", imageSize: config.imageSize, patch: config.patchSize,
                                channels: config.channels, width: c)
        position = PositionEmbedding(tokens: config.patches, width: c)
        blocks = (0..<config.depth).map { TransformerBlock("blocks.\($0)", width: c, heads: config.heads, mlpRatio: config.mlpRatio,
                                                     attention: config.attention) }
        head = StreamsHead(streamWidth: c, classes: config.classes)
        dropPathRNG = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        patchEmbed.parameters + position.parameters + blocks.flatMap(\.parameters) + head.parameters
    }

    public func forwardBackward(images: Tensor, labels: [Int]) -> Float {
        Ledger.shared.phase = .forward
        let b = images.shape[0]
        let masks = DropPath.drawMasks(blocks: blocks.count, config: config, batch: b, rng: &dropPathRNG)
        let (tokens, embedSaved) = patchEmbed.forward(images)
        let run = ReversibleRun.forward(position.forward(consume tokens), blocks: blocks, masks: masks,
                                        storeEverything: backprop == .storeEverything,
                                        recordInputs: recordsReconstructionError)
        let (loss, dy1, dy2) = head.lossAndGradients(run.y1, run.y2, labels: labels)
        let (dx, errors) = ReversibleRun.backward(consume run, blocks: blocks, dy1: dy1, dy2: dy2)
        reconstructionErrors = errors
        position.backward(dx)
        patchEmbed.backward(dx, embedSaved)
        return loss
    }

    public func logits(images: Tensor) -> Tensor {
        let (y1, y2) = ReversibleRun.outputs(position.forward(patchEmbed.forward(images).0), blocks: blocks)
        return head.forward(y1, y2).0
    }
}
