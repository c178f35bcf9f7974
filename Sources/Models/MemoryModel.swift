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
    /// x1, LN2 out, fc1 out (E), GELU out (E) = 6C + 2E, plus two LayerNorms' mean and rstd and H x N probabilities.
    public static func savedFloatsPerToken(_ c: ViTConfig, tokens n: Int) -> Int {
        6 * c.width + 2 * c.mlpRatio * c.width + 4 + c.heads * n
    }

    /// Predicts the step peak of `variant` at `batch` with AdamW (two state tensors per parameter).
    public static func predict(_ config: ViTConfig, variant: Variant, batch b: Int, parameterCount: Int) -> MemoryPrediction {
        let f = 4  // bytes per float
        let n = config.tokens(variant), c = config.width, e = config.mlpRatio * c, h = config.heads
        let np = config.patches, kIn = config.channels * config.patchSize * config.patchSize
        let images = b * config.channels * config.imageSize * config.imageSize
        let baseline = (4 * parameterCount + images) * f

        let block = b * n * savedFloatsPerToken(config, tokens: n)  // one block's saved tensors
        let stream = b * n * c                                      // one (B, N, C) tensor
        let patches = b * np * kIn                                  // im2col buffer kept by the patch embedding
        // Largest transient of one block's backward (MLP part): dy and dx1 streams, fc2's input grad (E), fc1's
        // input grad and LayerNorm's output grad (C each); attention's part (dqkv 3C + dcontext C + N x N scores)
        // is smaller for every preset, but taken when larger.
        let mlpBackward = b * n * (e + 4 * c)
        let attentionBackward = b * n * (3 * c + 4 * c) + n * n
        let transient = max(mlpBackward, attentionBackward)

        let activations: Int
        switch variant {
        case .standard:
            activations = config.depth * block + patches + transient
        case .checkpointed:
            activations = config.depth * stream + block + patches + transient
        case .reversible:
            // Y1, Y2, dY1, dY2, one reconstructed stream, one recomputed block, the head's 2C tensors.
            let head = b * n * 2 * c * 2
            activations = 5 * stream + block + patches + transient + head
        }
        return MemoryPrediction(baselineBytes: baseline, stepBytes: activations * f)
    }
}
