// Predicted peak bytes of one training step, from the layer definitions: what each variant keeps alive
// (parameters, gradients, AdamW state, saved activations per block) plus the working set of one block's
// backward. Used to refuse runs that would not fit, and compared with the ledger's measurement in tests.
// Dimensions: B = batch, N = tokens, Np = patches, C = width, E = hidden (mlp ratio x C), H = heads, D = depth.

/// Byte-level prediction for one configuration.
public struct MemoryPrediction: Sendable {
    /// Parameters + gradients + optimizer state + the input batch: live before the step.
    public var baselineBytes: Int
    /// Peak activation and workspace bytes above the baseline during the step.
    public var stepBytes: Int
    public var peakBytes: Int { baselineBytes + stepBytes }
}

public enum MemoryModel {
    /// Floats one standard block keeps per token for backward: block input, LN1 out, qkv (3C), context,
    /// x1, LN2 out, fc1 out (E), GELU out (E) = 8C + 2E, plus two LayerNorms' mean and rstd and H x N probabilities.
    public static func savedFloatsPerToken(_ c: ViTConfig, tokens n: Int) -> Int {
        8 * c.width + 2 * c.mlpRatio * c.width + 4 + c.heads * n
    }

    /// Predicts the step peak of `variant` at `batch` with AdamW (two state tensors per parameter).
    /// Each term is a tensor alive at the peak, read off the code's lifetimes (Saved structs, backward locals).
    public static func predict(_ config: ViTConfig, variant: Variant, batch b: Int, parameterCount: Int) -> MemoryPrediction {
        if config.family == .mvit { return predictMViT(config, variant: variant, batch: b, parameterCount: parameterCount) }
        let f = 4  // bytes per float
        let n = config.tokens(variant), c = config.width, e = config.mlpRatio * c, h = config.heads
        let np = config.patches, kIn = config.channels * config.patchSize * config.patchSize
        let images = b * config.channels * config.imageSize * config.imageSize
        let baseline = (4 * parameterCount + images) * f

        let tokens = b * n
        let block = tokens * savedFloatsPerToken(config, tokens: n)  // one block's saved tensors
        let stream = tokens * c                                      // one (B, N, C) tensor
        let patches = b * np * kIn                                   // im2col buffer kept by the patch embedding
        let scores = n * n                                           // attention backward's (N, N) workspace
        // Backward of a standard block, on top of its saved tensors: the incoming gradient dy plus
        // MLP part: fc2's input grad (E) and fc1's input grad (C); attention part: dx1, dcontext, dqkv (3C), dx.
        let blockBackward = max((2 * c + e) * tokens, 7 * stream + scores)

        let activations: Int
        switch variant {
        case .standard:
            activations = config.depth * block + patches + blockBackward
        case .checkpointed:
            // The last block's input is inside its recomputed saved tensors, so D - 1 inputs besides it.
            activations = (config.depth - 1) * stream + block + patches + blockBackward
        case .reversible:
            // Y1, Y2, dY1, dY2 and the head's [Y1, Y2] (2C) kept by its LayerNorm, plus the larger of the two
            // recompute phases: G (LN out C, fc1 out E, GELU out E, g C, fc2 input grad E, fc1 input grad C) or
            // F (LN out C, qkv 3C, probabilities H x N, context C, f C, dcontext C, dqkv 3C, dx C, scores).
            // Small terms that matter at tiny widths: LayerNorm mean and rstd (2 per token, in the head and in the
            // recomputed sublayer), the pooled (B, 2C) head input, logits and their probabilities (B x classes each).
            let gPhase = (3 * c + 3 * e + 2) * tokens
            let fPhase = (11 * c + h * n + 2) * tokens + scores
            let headSmall = 2 * tokens + 2 * c * b + 2 * config.classes * b
            activations = 6 * stream + patches + max(gPhase, fPhase) + headSmall
        }
        return MemoryPrediction(baselineBytes: baseline, stepBytes: activations * f)
    }

    /// Floats one MViT block keeps per image for backward (standard MViT-B block; in Rev-MViT the F and G parts of
    /// a reversible block, or a transition with its fusion MLP and pooled residual).
    static func mvitBlockSaved(_ s: MViTBlockSpec, classToken: Bool, transition: Bool) -> Int {
        let cls = classToken ? 1 : 0, c = s.width, h = s.heads
        let n = cls + s.side * s.side, nq = cls + s.outSide * s.outSide, nk = cls + s.kvSide * s.kvSide
        var floats = n * c + 2 * n                                   // norm1 input, mean, rstd
        floats += n * c                                              // norm1 output (projection input)
        floats += n * 3 * c                                          // q, k, v projections
        floats += s.qStride > 1 ? 2 * nq * c + 2 * nq * h : n * c    // pooled q before/after its norm, or q per head
        floats += 2 * (2 * nk * c + 2 * nk * h)                      // pooled k and v before/after their norms
        floats += h * nq * nk + nq * c                               // probabilities, context
        if s.qStride > 1 && !transition { floats += nq * c }         // max-pool argmax
        floats += nq * c + 2 * nq + nq * c + 2 * nq * 4 * c          // x1, norm2 output, MLP hidden twice
        if transition { floats += 3 * n * c + 2 * nq * c }           // fusion MLP (x, hidden 2C twice), fused x, pooled residual
        return floats
    }

    static func predictMViT(_ config: ViTConfig, variant: Variant, batch b: Int, parameterCount: Int) -> MemoryPrediction {
        let plan = MViTPlan(config)
        let images = b * config.channels * config.imageSize * config.imageSize
        let baseline = (4 * parameterCount + images) * 4
        let grid = plan.gridSide * plan.gridSide
        let stem = grid * config.channels * 49                        // im2col columns kept by the stem
        var perImage: Int
        switch variant {
        case .standard:
            perImage = stem + plan.blocks.map { mvitBlockSaved($0, classToken: true, transition: false) }.reduce(0, +)
        case .checkpointed:
            let inputs = plan.blocks.map { (1 + $0.side * $0.side) * $0.width }.reduce(0, +)
            perImage = stem + inputs + (plan.blocks.map { mvitBlockSaved($0, classToken: true, transition: false) }.max() ?? 0)
        case .reversible:
            // Backward walks the segments from last to first and frees each one's state once used, so the peak is
            // the largest, over segments, of what the earlier segments still keep plus this segment's working set:
            // a transition's saved tensors; a run's two output streams plus dY1, dY2, a reconstructed stream and
            // its largest recomputed block.
            var kept = 0, peak = 0, run: [MViTBlockSpec] = []
            func closeRun() {
                guard let last = run.last else { return }
                let stream = last.outSide * last.outSide * last.width
                let recompute = run.map { mvitBlockSaved($0, classToken: false, transition: false) }.max() ?? 0
                peak = max(peak, kept + 5 * stream + recompute)
                kept += 2 * stream
                run = []
            }
            for spec in plan.blocks {
                if spec.isTransition {
                    closeRun()
                    // Its backward holds its saved tensors either way (recomputed first with .recompute); between
                    // forward and backward it keeps them all, or with .recompute only its input (T*T x W).
                    let saved = mvitBlockSaved(spec, classToken: false, transition: true)
                    peak = max(peak, kept + saved)
                    kept += config.transitions == .recompute ? spec.side * spec.side * spec.width : saved
                } else {
                    run.append(spec)
                }
            }
            closeRun()
            perImage = stem + peak
        }
        // The backward working set of the largest block: its incoming gradient and a few same-sized buffers.
        let largest = plan.blocks.map { (1 + $0.side * $0.side) * 4 * $0.width }.max() ?? 0
        perImage += 2 * largest
        return MemoryPrediction(baselineBytes: baseline, stepBytes: b * perImage * 4)
    }
}
