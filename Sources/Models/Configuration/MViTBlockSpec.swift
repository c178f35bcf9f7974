// One block of MViT-B's plan: its stage, widths, heads, pooling strides and grid side.

/// One block of the plan.
public struct MViTBlockSpec: Sendable, Equatable {
    public let index: Int
    public let stage: Int          // 0...3
    public let width: Int          // attention width (= input width)
    public let outWidth: Int       // MViT-B: MLP output width (2 x width at a stage's last block, stages 1-3)
    public let heads: Int
    public let qStride: Int
    public let kvStride: Int
    public let side: Int           // input grid side
    public let attention: AttentionKind  // the attention core: FusedAttention, or MathAttention (the paper's)
    public init(index: Int, stage: Int, width: Int, outWidth: Int, heads: Int, qStride: Int, kvStride: Int, side: Int,
                attention: AttentionKind = .math) {
        self.index = index; self.stage = stage; self.width = width; self.outWidth = outWidth; self.heads = heads
        self.qStride = qStride; self.kvStride = kvStride; self.side = side; self.attention = attention
    }

    public var outSide: Int { qStride > 1 ? (side + 2 - 3) / qStride + 1 : side }
    public var kvSide: Int { (side + 2 - 3) / kvStride + 1 }
    /// First block of stages 2-4: Q pooling, and in Rev-MViT a non-reversible stage-transition block.
    public var isTransition: Bool { stage > 0 && qStride > 1 }
}
