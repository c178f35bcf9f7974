// Per-head views into the buffers the attention cores read and write: q, k, v inside ViT's (B, N, 3C) qkv buffer or
// MViT's pooled (G, N, D) tensors, and each head's columns of a (B, N, C) output. No copies: BLAS reads them through
// leading dimensions.
import Engine

/// One (rows x D) matrix per group inside a larger buffer: group g = (image g / heads, head g % heads) starts at
/// base + (g / heads) * imageStride + (g % heads) * headStride, its rows `rowStride` floats apart.
public struct HeadMatrix: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let heads: Int, imageStride: Int, headStride: Int, rowStride: Int

    /// A head's columns of a (B, N, rowStride) buffer, from `column` on (e.g. k in a (B, N, 3C) qkv buffer).
    public static func columns(_ t: Tensor, heads: Int, headDim d: Int, column: Int = 0) -> HeadMatrix {
        let n = t.shape[1], rowStride = t.shape[2]
        return HeadMatrix(base: t.data + column, heads: heads, imageStride: n * rowStride, headStride: d,
                          rowStride: rowStride)
    }

    /// A (G, N, D) tensor, one contiguous matrix per group.
    public static func grouped(_ t: Tensor, heads: Int) -> HeadMatrix {
        let n = t.shape[1], d = t.shape[2]
        return HeadMatrix(base: t.data, heads: heads, imageStride: heads * n * d, headStride: n * d, rowStride: d)
    }

    /// Group g's first row.
    @inline(__always)
    func group(_ g: Int) -> UnsafeMutablePointer<Float> { base + offset(g) }

    /// Row `row` of group g.
    @inline(__always)
    func row(_ g: Int, _ row: Int) -> UnsafeMutablePointer<Float> { base + offset(g, row: row) }

    /// Floats from `base` to row `row` of group g: the one formula of per-head addressing.
    @inline(__always)
    func offset(_ g: Int, row: Int = 0) -> Int { (g / heads) * imageStride + (g % heads) * headStride + row * rowStride }
}
