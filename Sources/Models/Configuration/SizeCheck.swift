// Sizes checked before anything is allocated: a configuration's parameter count, forward MACs and predicted step
// memory are computed arithmetically with overflow checks, so an absurd size (--depth 1000000000, --width 4e12,
// --batch 9e18) is refused in one line instead of trapping, wrapping to a negative size, or building a model to
// count its weights.

public enum SizeCheck {
    /// The largest predicted peak accepted at all, with or without --force: 1 PiB, more than any one machine has.
    public static let largestBytes = 1 << 50
    /// Bound on the envelopes below: every product the memory model and the MAC count form stays under it.
    static let largestProduct = 1 << 60

    /// The parameter count and predicted peak of `variant` at `batch`, or a ConfigError naming the sizes when they
    /// overflow or exceed `largestBytes`. For a validated configuration, trained with `workers` elementwise workers
    /// (the --threads of the process that trains it).
    public static func check(_ c: ModelConfiguration, variant: Variant, batch: Int, workers: Int) throws -> CheckedSize {
        let sizes = "depth \(c.depth), width \(c.width), heads \(c.heads), image size \(c.imageSize), patch size \(c.patchSize), "
            + "classes \(c.classes), batch \(batch)"
        // Envelopes that dominate every intermediate of MemoryModel.predict and macsPerImage (widths and heads grow
        // up to 8x over MViT's stages; tokens include a class token), so that once they fit, those run unchecked.
        // (Work, MACs times batch and steps, is then computed in floating point by its callers.)
        let b = CheckedInt(batch), grid = CheckedInt(c.imageSize / c.patchSize), n = grid * grid + 1
        let w8 = 8 * CheckedInt(c.width), h8 = 8 * CheckedInt(c.heads), d = CheckedInt(c.depth) + 8
        let image = CheckedInt(c.imageSize)
        let memory = 4 * b * (d * n * (64 * w8 + h8 * n + 64) + CheckedInt(c.channels) * image * image)
        let macs = 8 * (d * n * (16 * w8 * w8 + 4 * n * w8)
                            + n * CheckedInt(c.channels) * (CheckedInt(c.patchSize) * CheckedInt(c.patchSize) + 49) * w8
                            + 2 * w8 * CheckedInt(c.classes))
        guard let params = c.parameterCount(variant), let m = memory.value, let w = macs.value,
              m <= largestProduct, w <= largestProduct, (16 * CheckedInt(params)).value.map({ $0 <= largestBytes }) == true else {
            throw ConfigError("\(sizes): far too large (its sizes overflow 64-bit arithmetic or exceed 1 PiB); "
                              + "choose smaller sizes")
        }
        let prediction = MemoryModel.predict(c, variant: variant, batch: batch, parameterCount: params, workers: workers)
        if prediction.peakBytes > largestBytes {
            throw ConfigError("\(sizes): needs about \(prediction.peakBytes >> 40) TiB (predicted peak of \(variant.rawValue)), "
                              + "more than 1 PiB, which no machine has; choose smaller sizes (--force does not apply)")
        }
        return CheckedSize(parameterCount: params, prediction: prediction)
    }
}
