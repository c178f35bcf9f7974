// The operands of one attention call, as per-head views: G groups of Nq queries against Nk keys, head dim D.
import Engine

/// The operands of one attention call: G groups of Nq queries against Nk keys, head dim D, as per-head views.
public struct AttentionOperands {
    public let groups: Int, queries: Int, keys: Int, headDim: Int
    public let q: HeadMatrix, k: HeadMatrix, v: HeadMatrix
    public var scale: Float { 1 / Float(headDim).squareRoot() }

    public init(groups: Int, queries: Int, keys: Int, headDim: Int, q: HeadMatrix, k: HeadMatrix, v: HeadMatrix) {
        self.groups = groups; self.queries = queries; self.keys = keys; self.headDim = headDim
        self.q = q; self.k = k; self.v = v
    }
}
