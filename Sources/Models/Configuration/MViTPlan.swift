// The block-by-block plan of MViT-B-16 and Rev-MViT-B (the paper; SlowFast's MVIT_B_16_CONV and
// REV_MVIT_B_16_CONV configs), derived from a configuration: four stages of widths w, 2w, 4w, 8w and heads h, 2h,
// 4h, 8h (head dim w/h, 96 in MViT-B) with 1, 2, depth-5 and 2 blocks. Q is pooled (stride 2) in the first block of
// stages 2-4; K and V are pooled in every block with stride 4, 2, 1, 1 by stage. MViT-B widens in the MLP of each
// stage's last block (stages 1-3).
// Dimensions: S = grid side after the stem (image / 4), w = width of stage 1.

public struct MViTPlan: Sendable {
    public let blocks: [MViTBlockSpec]
    public let gridSide: Int

    public init(_ c: ModelConfiguration) {
        let stageDepths = [1, 2, c.depth - 5, 2]
        let kvStrides = [4, 2, 1, 1]
        var blocks: [MViTBlockSpec] = []
        var side = c.imageSize / c.patchSize
        gridSide = side
        var index = 0
        for (stage, n) in stageDepths.enumerated() {
            let width = c.width << stage, heads = c.heads << stage
            for j in 0..<n {
                let q = (stage > 0 && j == 0) ? 2 : 1
                let last = j == n - 1 && stage < 3
                let spec = MViTBlockSpec(index: index, stage: stage, width: width, outWidth: last ? 2 * width : width,
                                         heads: heads, qStride: q, kvStride: kvStrides[stage], side: side,
                                         attention: c.attention)
                blocks.append(spec)
                side = spec.outSide
                index += 1
            }
        }
        self.blocks = blocks
    }

    /// Checks what the MViT family needs beyond ModelConfiguration.validate().
    public static func validate(_ c: ModelConfiguration) throws {
        if c.depth < 6 { throw ConfigError("depth \(c.depth) is too small for MViT: 1 + 2 + (depth - 5) + 2 blocks need depth >= 6") }
        if c.imageSize % 32 != 0 {
            throw ConfigError("image size \(c.imageSize) must be divisible by 32 for MViT (stride-4 stem, three stride-2 stages)")
        }
    }

    /// Forward MACs per image (linears, convs, q k^T, attn v; LayerNorm not counted).
    public func macs(_ c: ModelConfiguration, variant: Variant) -> Int {
        let cls = variant == .reversible ? 0 : 1
        let stem = gridSide * gridSide * c.channels * 49 * c.width
        var total = stem
        for b in blocks {
            let n = cls + b.side * b.side, nq = cls + b.outSide * b.outSide, nk = cls + b.kvSide * b.kvSide
            let d = b.width / b.heads
            let pools = b.heads * d * 9 * ((b.qStride > 1 ? b.outSide * b.outSide : 0) + 2 * b.kvSide * b.kvSide)
            // q, k, v projections, pooling convs, q k^T and attn v, output projection
            var m = n * b.width * 3 * b.width + pools + 2 * nq * nk * b.width + nq * b.width * b.width
            if variant != .reversible {
                // MLP C -> 4C -> C' and, where it widens, the Linear skip C -> C'
                m += nq * b.width * 4 * b.width + nq * 4 * b.width * b.outWidth
                if b.outWidth != b.width { m += nq * b.width * b.outWidth }
            } else if b.isTransition {
                // fusion MLP W -> 2W -> W on the input tokens, the residual's pooling conv, MLP W -> 4W -> W
                m += n * 4 * b.width * b.width + b.heads * d * 9 * b.outSide * b.outSide + nq * 8 * b.width * b.width
            } else {
                m += nq * 8 * b.width * b.width  // MLP C -> 4C -> C
            }
            total += m
        }
        let last = blocks.last!
        let headIn = variant == .reversible ? 2 * last.width : last.width
        return total + headIn * c.classes
    }
}
