// The attention shapes of one training step of a configuration: what bench attention times.
import Foundation
import Engine
import Models

/// The attention shapes of one model: `count` blocks with G = batch x heads groups of Nq queries against Nk keys,
/// head dim D.
public struct AttentionShape: Sendable, Equatable {
    public var count: Int, batch: Int, heads: Int, queries: Int, keys: Int, headDim: Int
    /// Whether q, k, v sit in a (B, N, 3C) qkv buffer (ViT) or in (G, N, D) tensors (MViT's pooled ones).
    public var interleaved: Bool

    public var groups: Int { batch * heads }

    /// The math core's forward plus backward FLOPs of one block.
    public var flops: Double { 12 * Double(groups) * Double(queries) * Double(keys) * Double(headDim) }

    /// Every block's attention shape at `batch`, identical blocks merged (ViT: one; MViT: one per stage and kind).
    public static func of(_ config: ModelConfiguration, variant: Variant, batch b: Int) -> [AttentionShape] {
        switch config.family {
        case .vit:
            let n = config.tokens(variant)
            return [AttentionShape(count: config.depth, batch: b, heads: config.heads, queries: n, keys: n,
                                   headDim: config.width / config.heads, interleaved: true)]
        case .mvit:
            let cls = variant == .reversible ? 0 : 1
            var shapes: [AttentionShape] = []
            for s in MViTPlan(config).blocks {
                let shape = AttentionShape(count: 1, batch: b, heads: s.heads, queries: cls + s.outSide * s.outSide,
                                           keys: cls + s.kvSide * s.kvSide, headDim: s.width / s.heads, interleaved: false)
                if let i = shapes.firstIndex(where: { var t = $0; t.count = 1; return t == shape }) {
                    shapes[i].count += 1
                } else {
                    shapes.append(shape)
                }
            }
            return shapes
        }
    }
}
