// The parameter count of a configuration, computed from the layer definitions without building the model (a
// model of --depth 1000000000 must be refused, not built to be counted). Checked arithmetic: nil on overflow.
// Tested equal to the built models' counts for every family and variant.

extension ModelConfiguration {
    /// Parameters of `variant`'s model (nil if the count overflows). For a validated configuration.
    public func parameterCount(_ variant: Variant) -> Int? {
        (family == .mvit ? mvitParameters(variant) : vitParameters(variant)).value
    }

    private func linear(_ inputs: CheckedInt, _ outputs: CheckedInt) -> CheckedInt { inputs * outputs + outputs }
    private func layerNorm(_ features: CheckedInt) -> CheckedInt { 2 * features }

    private func vitParameters(_ variant: Variant) -> CheckedInt {
        let c = CheckedInt(width), p = CheckedInt(patchSize), grid = CheckedInt(imageSize / patchSize)
        let patches = grid * grid, hidden = CheckedInt(mlpRatio) * c
        let stem = linear(CheckedInt(channels) * p * p, c)
        // LayerNorm, qkv, projection; LayerNorm, MLP.
        let block = layerNorm(c) + linear(c, 3 * c) + linear(c, c) + layerNorm(c) + linear(c, hidden) + linear(hidden, c)
        let blocks = CheckedInt(depth) * block
        let k = CheckedInt(classes)
        if variant == .reversible {
            // Position embedding over the patches; LayerNorm and head over both streams (2C).
            return stem + patches * c + blocks + layerNorm(2 * c) + linear(2 * c, k)
        }
        // Class token and position embedding (patches + 1); LayerNorm and head on the class token.
        return stem + c + (patches + 1) * c + blocks + layerNorm(c) + linear(c, k)
    }

    /// A pooling stage: a depthwise 3x3 conv over the head dim and a LayerNorm of it.
    private func pool(_ headDim: CheckedInt) -> CheckedInt { 9 * headDim + layerNorm(headDim) }

    private func poolingAttention(_ s: MViTBlockSpec, qStride: Int) -> CheckedInt {
        let w = CheckedInt(s.width), d = CheckedInt(s.width / s.heads)
        // q, k, v (as one qkv or three linears: the same count), the pooling stages, the projection.
        return 3 * linear(w, w) + (qStride > 1 ? pool(d) : 0) + 2 * pool(d) + linear(w, w)
    }

    private func mvitParameters(_ variant: Variant) -> CheckedInt {
        let plan = MViTPlan(self)
        let c = CheckedInt(width), grid = CheckedInt(plan.gridSide), k = CheckedInt(classes)
        let stem = linear(CheckedInt(channels) * 49, c)   // the 7x7 convolution
        var total = stem
        for s in plan.blocks {
            let w = CheckedInt(s.width)
            if variant != .reversible {
                let out = CheckedInt(s.outWidth)
                total = total + layerNorm(w) + poolingAttention(s, qStride: s.qStride) + layerNorm(w)
                    + linear(w, 4 * w) + linear(4 * w, out) + (s.outWidth != s.width ? linear(w, out) : 0)
            } else if s.isTransition {
                // The fusion MLP W -> 2W -> W, then attention with Q pooled and an MLP W -> 4W -> W.
                total = total + linear(w, 2 * w) + linear(2 * w, w) + layerNorm(w) + poolingAttention(s, qStride: s.qStride)
                    + layerNorm(w) + linear(w, 4 * w) + linear(4 * w, w)
            } else {
                total = total + layerNorm(w) + poolingAttention(s, qStride: 1) + layerNorm(w) + linear(w, 4 * w) + linear(4 * w, w)
            }
        }
        let last = plan.blocks.last!
        if variant == .reversible {
            return total + grid * grid * c + layerNorm(2 * CheckedInt(last.width)) + linear(2 * CheckedInt(last.width), k)
        }
        let lastWidth = CheckedInt(last.outWidth)
        return total + c + (grid * grid + 1) * c + layerNorm(lastWidth) + linear(lastWidth, k)
    }
}
