// The skeleton the class-token models share (the standard ViT and MViT-B, each trained as .standard or
// .checkpointed): stem -> [cls; tokens] + pos -> blocks -> LayerNorm -> head on the class token. One forward,
// backward and logits path for both; the models differ only in their stem and block types.
// Dimensions: B = batch, N = tokens + 1 (class token first), C = width, K = classes.
import Engine

extension PatchEmbed: TokenStem {}
extension ConvStem: TokenStem {}
extension TransformerBlock: StackBlock {}
extension MViTBlock: StackBlock {}

/// A model with a class token, trained through `BlockStack`.
public protocol ClassTokenModel: VisionModel {
    associatedtype Stem: TokenStem
    associatedtype Block: StackBlock
    var stem: Stem { get }
    var embedding: ClassTokenEmbedding { get }  // cls token (1, 1, C) and pos (1, N, C)
    var blocks: [Block] { get }
    var head: ClassTokenHead { get }            // LayerNorm on the class token, Linear C -> K
    /// Draws the drop-path masks of each step.
    var dropPathRNG: SeededRNG { get set }
}

extension ClassTokenModel {
    /// x (B, N, C) = [cls; stem(images)] + pos.
    func embed(_ images: Tensor) -> (Tensor, Stem.Saved) {
        let (tokens, saved) = stem.forward(images)
        return (embedding.forward(tokens), saved)
    }

    public func forwardBackward(images: Tensor, labels: [Int]) -> Float {
        Ledger.shared.phase = .forward
        let b = images.shape[0]
        let masks = DropPath.drawMasks(blocks: blocks.count, config: config, batch: b, rng: &dropPathRNG)
        let (x, stemSaved) = embed(images)
        let (loss, dx) = BlockStack.train(x, count: blocks.count, variant: variant,
            forward: { i, x in self.blocks[i].forward(x, masks: masks[i]) },
            backward: { i, dy, saved in self.blocks[i].backward(consume dy, consume saved) },
            head: { x in self.head.lossAndGradient(x, labels: labels) })
        stem.backward(embedding.backward(dx), stemSaved, inputGradient: false)
        return loss
    }

    public func logits(images: Tensor) -> Tensor {
        var (x, _) = embed(images)
        for block in blocks { x = block.forward(x, masks: DropPathMasks()).0 }
        return head.logits(x)
    }
}
