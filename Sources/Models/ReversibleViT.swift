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
    /// How backward gets each block's activations.
    public enum Backprop: Sendable {
        /// Reconstruct block inputs from outputs and recompute F and G (the reversible algorithm).
        case recompute
        /// Keep every sublayer's saved tensors in forward, like a standard framework (debug and reference).
        case storeEverything
    }

    public let config: ViTConfig
    public let variant: Variant = .reversible
    public var backprop: Backprop
    public let patchEmbed: PatchEmbed
    public let posEmbed: Parameter   // (1, N, C)
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm       // 2C
    public let head: Linear          // 2C -> K
    /// When set, forward keeps every block's inputs and backward records max |reconstructed - forward| per block.
    public var recordsReconstructionError = false
    /// Per block (index 0 = first block): max abs difference of reconstructed X1 and X2 vs the forward's.
    public private(set) var reconstructionErrors: [Float] = []
    /// Keeps one extra (B, N, C) tensor per block alive across the step; for tests of the regression check only.
    public var testingKeepsExtraActivation = false
    private var rng: SeededRNG

    public init(_ config: ViTConfig, backprop: Backprop = .recompute, seed: UInt64 = 0, initialize: Bool = true) {
        self.config = config
        self.backprop = backprop
        let c = config.width
        patchEmbed = PatchEmbed("patch_embed", imageSize: config.imageSize, patch: config.patchSize,
                                channels: config.channels, width: c)
        posEmbed = Parameter("pos_embed", [1, config.patches, c])
        blocks = (0..<config.depth).map { TransformerBlock("blocks.\($0)", width: c, heads: config.heads, mlpRatio: config.mlpRatio) }
        norm = LayerNorm("norm", 2 * c)
        head = Linear("head", 2 * c, config.classes)
        rng = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        patchEmbed.parameters + [posEmbed] + blocks.flatMap(\.parameters) + norm.parameters + head.parameters
    }

    /// x (B, N, C) = patch_embed(images) + pos.
    private func embed(_ images: Tensor) -> (Tensor, PatchEmbed.Saved) {
        let (x, saved) = patchEmbed.forward(images)
        let b = images.shape[0], per = config.patches * config.width, pos = posEmbed.value.data
        for bi in 0..<b {
            let row = x.data + bi * per
            for i in 0..<per { row[i] += pos[i] }
        }
        return (x, saved)
    }

    /// [Y1, Y2] (B, N, 2C) -> mean over tokens of LayerNorm -> head. Returns logits and what backward needs.
    private struct HeadSaved {
        let normSaved: LayerNorm.Saved
        let headSaved: Linear.Saved
    }

    private func headForward(_ y1: Tensor, _ y2: Tensor) -> (Tensor, HeadSaved) {
        let cat = Elementwise.concatLastDim(y1, y2)       // (B, N, 2C)
        let (normed, normSaved) = norm.forward(cat)       // (B, N, 2C)
        let pooled = TokenMean.forward(normed)            // (B, 2C)
        let (logits, headSaved) = head.forward(pooled)    // (B, K)
        return (logits, HeadSaved(normSaved: normSaved, headSaved: headSaved))
    }

    /// Returns (dY1, dY2), each (B, N, C).
    private func headBackward(_ dLogits: Tensor, _ saved: HeadSaved) -> (Tensor, Tensor) {
        let n = config.patches
        let dPooled = head.backward(dLogits, saved.headSaved)!        // (B, 2C)
        let dCat = norm.backward(TokenMean.backward(dPooled, tokens: n), saved.normSaved)  // (B, N, 2C)
        return Elementwise.splitLastDim(dCat)
    }

    public func forwardBackward(images: Tensor, labels: [Int]) -> Float {
        let b = images.shape[0]
        let masks = DropPath.drawMasks(blocks: blocks.count, config: config, batch: b, rng: &rng)
        var x1: Tensor, x2: Tensor
        let embedSaved: PatchEmbed.Saved
        do {
            let (x, saved) = embed(images)
            x1 = x; x2 = x                                   // both streams start as the embedding
            embedSaved = saved
        }
        var stored: [(f: AttentionSublayer.Saved, g: MLPSublayer.Saved)] = []  // .storeEverything only
        var forwardInputs: [(Tensor, Tensor)] = []           // recordsReconstructionError only
        var extra: [Tensor] = []                             // testingKeepsExtraActivation only
        for (i, block) in blocks.enumerated() {
            if recordsReconstructionError { forwardInputs.append((x1, x2)) }
            let keep = backprop == .storeEverything
            let y1: Tensor, y2: Tensor
            var fSaved: AttentionSublayer.Saved?, gSaved: MLPSublayer.Saved?
            do {
                let (f, s) = block.f.forward(x2)
                if keep { fSaved = s }
                DropPath.apply(f, masks[i].f)
                y1 = Elementwise.add(x1, f)
            }
            do {
                let (g, s) = block.g.forward(y1)
                if keep { gSaved = s }
                DropPath.apply(g, masks[i].g)
                y2 = Elementwise.add(x2, g)
            }
            if keep { stored.append((fSaved!, gSaved!)) }
            if testingKeepsExtraActivation { extra.append(y1.copy()) }
            x1 = y1; x2 = y2
        }
        let (logits, headSaved) = headForward(x1, x2)
        let (loss, lossSaved) = CrossEntropy.forward(logits, labels: labels)
        var (dy1, dy2) = headBackward(CrossEntropy.backward(lossSaved), headSaved)
        var y1 = consume x1, y2 = consume x2                  // only (Y1, Y2) of the last block stay
        reconstructionErrors = []
        for i in blocks.indices.reversed() {
            let block = blocks[i]
            if backprop == .storeEverything {
                let (fSaved, gSaved) = stored.removeLast()
                let dG = block.g.backward(DropPath.backward(dy2, masks[i].g), gSaved)
                Elementwise.accumulate(dy1, dG)                         // dY1 total = dY1 + G'(Y1)^T dY2
                let dF = block.f.backward(DropPath.backward(dy1, masks[i].f), fSaved)
                Elementwise.accumulate(dy2, dF)                         // dX2 = dY2 + F'(X2)^T dY1
                continue
            }
            // Recompute G on Y1, backprop dY2 through it, reconstruct X2 = Y2 - G(Y1).
            let recX2: Tensor
            do {
                let (g, gSaved) = block.g.forward(y1)
                DropPath.apply(g, masks[i].g)
                let dG = block.g.backward(DropPath.backward(dy2, masks[i].g), gSaved)
                Elementwise.accumulate(dy1, dG)
                recX2 = Elementwise.subtract(y2, g)
            }
            y2 = recX2
            // Recompute F on X2, backprop dY1 through it, reconstruct X1 = Y1 - F(X2).
            let recX1: Tensor
            do {
                let (f, fSaved) = block.f.forward(recX2)
                DropPath.apply(f, masks[i].f)
                let dF = block.f.backward(DropPath.backward(dy1, masks[i].f), fSaved)
                Elementwise.accumulate(dy2, dF)
                recX1 = Elementwise.subtract(y1, f)
            }
            y1 = recX1
            if recordsReconstructionError {
                let (fx1, fx2) = forwardInputs.removeLast()
                reconstructionErrors.insert(max(Elementwise.maxAbsDifference(fx1, y1),
                                                Elementwise.maxAbsDifference(fx2, y2)), at: 0)
            }
        }
        // Both streams started as the embedding: its gradient is dX1 + dX2.
        Elementwise.accumulate(dy1, dy2)
        dy2 = dy1
        let dPos = posEmbed.grad.data, per = config.patches * config.width
        for bi in 0..<b {
            let row = dy1.data + bi * per
            for j in 0..<per { dPos[j] += row[j] }
        }
        patchEmbed.backward(dy1, embedSaved)
        withExtendedLifetime(extra) {}
        return loss
    }

    public func logits(images: Tensor) -> Tensor {
        let (x, _) = embed(images)
        var x1 = x, x2 = x
        for block in blocks {
            let y1 = Elementwise.add(x1, block.f.forward(x2).0)
            let y2 = Elementwise.add(x2, block.g.forward(y1).0)
            x1 = y1; x2 = y2
        }
        return headForward(x1, x2).0
    }
}
