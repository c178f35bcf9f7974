// Predicted peak bytes of one training step, from the layer definitions: what each variant keeps alive
// (parameters, gradients, AdamW state, saved activations per block) plus the working set of one block's
// backward. Used to refuse runs that would not fit, and compared with the ledger's measurement in tests.
// Dimensions: B = batch, N = tokens, Np = patches, C = width, E = hidden (mlp ratio x C), H = heads, D = depth.

public enum MemoryModel {
    /// Floats one standard block keeps per token for backward: block input, LN1 out, qkv (3C), context,
    /// x1, LN2 out, fc1 out (E), GELU out (E) = 8C + 2E, plus two LayerNorms' mean and rstd and H x N probabilities
    /// (math attention) or H log-sum-exps (fused attention).
    public static func savedFloatsPerToken(_ c: ModelConfiguration, tokens n: Int) -> Int {
        8 * c.width + 2 * c.mlpRatio * c.width + 4 + attentionFloatsPerToken(c, tokens: n)
    }

    /// What the attention core keeps per token: H x N probabilities (math) or H log-sum-exps (fused).
    static func attentionFloatsPerToken(_ c: ModelConfiguration, tokens n: Int) -> Int {
        c.attention == .fused ? c.heads : c.heads * n
    }

    /// Predicts the step peak of `variant` at `batch` with AdamW (two state tensors per parameter).
    /// Each term is a tensor alive at the peak, read off the code's lifetimes (Saved structs, backward locals).
    /// `workers` is the elementwise workers of the process that trains (its --threads): the attention cores' workspace
    /// is per lane, one lane per worker.
    public static func predict(_ config: ModelConfiguration, variant: Variant, batch b: Int, parameterCount: Int,
                               workers: Int) -> MemoryPrediction {
        if config.family == .mvit {
            return predictMViT(config, variant: variant, batch: b, parameterCount: parameterCount, workers: workers)
        }
        let f = 4  // bytes per float
        let n = config.tokens(variant), c = config.width, e = config.mlpRatio * c
        let images = b * config.channels * config.imageSize * config.imageSize
        let baseline = (4 * parameterCount + images) * f

        let tokens = b * n
        let block = tokens * savedFloatsPerToken(config, tokens: n)  // one block's saved tensors
        let stream = tokens * c                                      // one (B, N, C) tensor
        let fused = config.attention == .fused
        // Attention backward's workspace, per lane: one (N, N) score-gradient buffer (math), or the (Bq, N)
        // probabilities and their gradients (fused).
        let scores = fused ? AttentionWorkspace.fusedFloats(groups: b * config.heads, queries: n, keys: n, backward: true,
                                                             workers: workers)
                           : AttentionWorkspace.mathFloats(groups: b * config.heads, queries: n, keys: n, workers: workers)
        let attn = attentionFloatsPerToken(config, tokens: n)
        // The top block's backward frees each saved tensor once used. Its peak is either in the MLP, when fc2's
        // input gradient (E) is allocated beside the incoming gradient (C) and every saved tensor, or in the
        // attention loop, after the MLP's tensors and the context are freed: x, LN1 out, qkv (3C), probabilities
        // (H x N) and two LayerNorm statistics, beside dy1, dcontext, dqkv (3C) and the scores (fused attention
        // keeps the context, which its backward reads, and H log-sum-exps instead of the probabilities).
        let mlpPeak = block + (c + e) * tokens
        let attentionPeak = ((fused ? 11 : 10) * c + attn + 2) * tokens + scores

        let activations: Int
        switch variant {
        case .standard:
            activations = (config.depth - 1) * block + max(mlpPeak, attentionPeak)
        case .checkpointed:
            // The other blocks' inputs; the top block's input is inside its recomputed saved tensors.
            activations = (config.depth - 1) * stream + max(mlpPeak, attentionPeak)
        case .reversible:
            // Y1, Y2, dY1, dY2 (the head's saved tensors are freed before the blocks' backward), plus the larger of
            // the two recompute phases: G (LN out C, its statistics, fc1 out E, GELU out E, g C, and fc2's input
            // gradient E) or F (LN out C, statistics, qkv 3C, probabilities H x N, f C, dcontext C, dqkv 3C, scores),
            // each freeing what it used as it goes.
            let gPhase = (2 * c + 3 * e + 2) * tokens
            let fPhase = ((fused ? 10 : 9) * c + attn + 2) * tokens + scores
            activations = 4 * stream + max(gPhase, fPhase)
        }
        return MemoryPrediction(baselineBytes: baseline, stepBytes: activations * f)
    }

    /// Floats one MViT block keeps per image for backward (standard MViT-B block; in Rev-MViT the F and G parts of
    /// a reversible block, or a transition with its fusion MLP and pooled residual).
    static func mvitBlockSaved(_ s: MViTBlockSpec, classToken: Bool, transition: Bool) -> Int {
        // The attention core keeps H x Nq x Nk probabilities (math) or H x Nq log-sum-exps (fused).
        let cls = classToken ? 1 : 0, c = s.width, h = s.heads
        let n = cls + s.side * s.side, nq = cls + s.outSide * s.outSide, nk = cls + s.kvSide * s.kvSide
        var floats = n * c + 2 * n                                   // norm1 input, mean, rstd
        floats += n * c                                              // norm1 output (projection input)
        floats += n * 3 * c                                          // q, k, v projections (unpooled q is read there)
        if s.qStride > 1 { floats += 2 * nq * c + 2 * nq * h }       // pooled q before/after its norm
        floats += 2 * (2 * nk * c + 2 * nk * h)                      // pooled k and v before/after their norms
        floats += (s.attention == .fused ? h * nq : h * nq * nk) + nq * c // probabilities or log-sum-exps, context
        if s.qStride > 1 && !transition { floats += nq * c }         // max-pool argmax
        floats += nq * c + 2 * nq + nq * c + 2 * nq * 4 * c          // x1, norm2 output, MLP hidden twice
        if transition { floats += 5 * n * c + nq * c + 2 * nq * h }  // fusion MLP (x, hidden 2C twice), pooled residual and stats
        return floats
    }

    /// Floats per image of a reversible Rev-MViT block's recompute phases (no class token, separate q, k, v, K and V
    /// pooled, Q not): G (LN out C, statistics, fc1 out E, GELU out E, g C, fc2's input gradient E) and F (LN out C,
    /// q k v 3C, pooled k and v before and after their norms, probabilities H x N x Nk, f C, dcontext C, q's
    /// projection gradient C, which the core writes into, dk and dv, statistics), or F after its head loop (k's and
    /// v's projection gradients 2C instead of the probabilities); the larger, in floats for a batch of `b`. The
    /// loop's scores workspace is per step: per lane one (N, Nk) buffer (math), or two (Bq, Nk) blocks (fused, which
    /// also keeps the context, C, for its backward and H log-sum-exps instead of the probabilities).
    static func revMViTRecompute(_ s: MViTBlockSpec, batch b: Int, workers: Int) -> Int {
        let n = s.side * s.side, nk = s.kvSide * s.kvSide, c = s.width, h = s.heads, e = 4 * c
        let g = (2 * c + 3 * e + 2) * n
        let pooled = 6 * nk * c + 4 * nk * h                 // k, v pooled, before their norms, and their gradients
        let fLoop = s.attention == .fused ? 8 * n * c + pooled + h * n + 2 * n : 7 * n * c + pooled + h * n * nk + 2 * n
        let scores = s.attention == .fused
            ? AttentionWorkspace.fusedFloats(groups: b * h, queries: n, keys: nk, backward: true, workers: workers)
            : AttentionWorkspace.mathFloats(groups: b * h, queries: n, keys: nk, workers: workers)
        let fProjections = 9 * n * c + pooled + 2 * n
        return max(g * b, fLoop * b + scores, fProjections * b)
    }

    static func predictMViT(_ config: ModelConfiguration, variant: Variant, batch b: Int, parameterCount: Int,
                            workers: Int) -> MemoryPrediction {
        let plan = MViTPlan(config)
        let images = b * config.channels * config.imageSize * config.imageSize
        let baseline = (4 * parameterCount + images) * 4
        // Beyond its saved tensors, a block holds at the end of its forward its branch outputs and output (attention
        // out, MLP out, Nq x C_out each, the max-pooled skip where Q is pooled, the widening projection's output, and
        // for a transition its fusion MLP's output and the pooled residual), and at fc2's backward the incoming
        // gradient (Nq x C_out) and fc2's input gradient (Nq x 4C); its backward frees every saved tensor once used.
        func outputs(_ s: MViTBlockSpec, classToken: Bool, transition: Bool) -> Int {
            let cls = classToken ? 1 : 0, n = cls + s.side * s.side, nq = cls + s.outSide * s.outSide
            var floats = nq * s.width + 2 * nq * s.outWidth                  // attention out, MLP out, block out
            if s.qStride > 1 { floats += nq * s.width }                       // skip, or the pooled residual
            if s.outWidth != s.width { floats += nq * s.outWidth }           // proj(norm2(x1))
            if transition { floats += n * s.width }                           // the fusion MLP's output
            return floats
        }
        func incoming(_ s: MViTBlockSpec, classToken: Bool) -> Int {
            ((classToken ? 1 : 0) + s.outSide * s.outSide) * s.outWidth
        }
        func fc2Gradient(_ s: MViTBlockSpec, classToken: Bool) -> Int {
            ((classToken ? 1 : 0) + s.outSide * s.outSide) * 4 * s.width
        }
        var perImage = 0, perStep = 0   // floats per image, and per step (the reversible run's scores)
        switch variant {
        case .standard:
            // Forward: block i runs with the saved tensors of blocks 0...i-1 kept. Backward, walking down from the
            // top: block i's backward runs with the saved tensors of blocks 0...i alive.
            var below = 0
            for s in plan.blocks {
                let saved = mvitBlockSaved(s, classToken: true, transition: false)
                perImage = max(perImage, below + saved + max(outputs(s, classToken: true, transition: false),
                                                             incoming(s, classToken: true) + fc2Gradient(s, classToken: true)))
                below += saved
            }
        case .checkpointed:
            // Block i runs (in forward, and again in backward beside its incoming gradient) with the inputs of blocks
            // 0...i-1 kept.
            var below = 0
            for s in plan.blocks {
                let saved = mvitBlockSaved(s, classToken: true, transition: false)
                perImage = max(perImage, below + saved + incoming(s, classToken: true)
                               + max(outputs(s, classToken: true, transition: false), fc2Gradient(s, classToken: true)))
                below += (1 + s.side * s.side) * s.width
            }
        case .reversible:
            // Backward walks the segments from last to first and frees each one's state once used, so the peak is
            // the largest, over segments, of what the earlier segments still keep plus this segment's working set:
            // a transition's saved tensors and its backward's; a run's two output streams, dY1 and dY2, and the
            // recompute phases of its largest block.
            var kept = 0, run: [MViTBlockSpec] = []
            func closeRun() {
                guard let last = run.last else { return }
                let stream = last.outSide * last.outSide * last.width
                let recompute = run.map { revMViTRecompute($0, batch: b, workers: workers) }.max() ?? 0
                if b * (kept + 4 * stream) + recompute > b * perImage + perStep {
                    perImage = kept + 4 * stream; perStep = recompute
                }
                kept += 2 * stream
                run = []
            }
            for spec in plan.blocks {
                if spec.isTransition {
                    closeRun()
                    // Its backward holds its saved tensors either way (recomputed first with .recompute); between
                    // forward and backward it keeps them all, or with .recompute only its input (T*T x W).
                    // Its forward ends with its outputs beside its saved tensors; its backward (after a recompute
                    // with .recompute, which also holds its outputs beside the incoming gradient) adds the incoming
                    // gradient and fc2's input gradient.
                    let saved = mvitBlockSaved(spec, classToken: false, transition: true)
                    let out = outputs(spec, classToken: false, transition: true)
                    let dy = incoming(spec, classToken: false), fc2 = fc2Gradient(spec, classToken: false)
                    let working = config.transitions == .recompute ? dy + max(out, fc2) : max(out, dy + fc2)
                    if b * (kept + saved + working) > b * perImage + perStep {
                        perImage = kept + saved + working; perStep = 0
                    }
                    kept += config.transitions == .recompute ? spec.side * spec.side * spec.width : saved
                } else {
                    run.append(spec)
                }
            }
            closeRun()
        }
        return MemoryPrediction(baselineBytes: baseline, stepBytes: (b * perImage + perStep) * 4)
    }
}
