// One entry to the two attention cores (MathAttention, FusedAttention) for everything that runs them: ViT's
// attention, MViT's pooling attention and `bench attention`. Forward returns what its core keeps for backward;
// backward dispatches on it, so a layer holds one value instead of one optional per core.
// Dimensions: G = groups (batch x heads), Nq = queries, Nk = keys, D = head dim.
import Engine

/// What an attention core keeps for its backward.
public enum AttentionState {
    /// The (G, Nq, Nk) probabilities (MathAttention).
    case probabilities(Tensor)
    /// The (G, Nq) per-row log-sum-exps and the (B, Nq, H x D) output O that FusedAttention's backward reads (kept
    /// alive here, not copied: it is the tensor forward wrote).
    case logSumExp(Tensor, output: Tensor)
}

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

public enum AttentionCore {
    /// Writes softmax(scale Q K^T) V into each head's columns of `output` (B, Nq, H x D) with the `kind` core and
    /// returns what it keeps for backward.
    public static func forward(_ kind: AttentionKind, _ o: AttentionOperands, output: Tensor) -> AttentionState {
        let out = outputView(output, o)
        switch kind {
        case .math:
            return .probabilities(MathAttention.forward(groups: o.groups, queries: o.queries, keys: o.keys,
                                                        headDim: o.headDim, scale: o.scale, q: o.q, k: o.k, v: o.v, out: out))
        case .fused:
            return .logSumExp(FusedAttention.forward(groups: o.groups, queries: o.queries, keys: o.keys,
                                                     headDim: o.headDim, scale: o.scale, q: o.q, k: o.k, v: o.v, out: out),
                              output: output)
        }
    }

    /// Each head's columns of a (B, Nq, H x D) output.
    static func outputView(_ output: Tensor, _ o: AttentionOperands) -> HeadMatrix {
        .columns(output, heads: o.q.heads, headDim: o.headDim)
    }

    /// Writes dQ, dK and dV from dO (laid out like forward's output). Frees the state.
    public static func backward(_ state: consuming AttentionState, _ o: AttentionOperands, dOutput: Tensor,
                                dq: HeadMatrix, dk: HeadMatrix, dv: HeadMatrix) {
        let dOut = outputView(dOutput, o)
        switch consume state {
        case .probabilities(let probs):
            MathAttention.backward(groups: o.groups, queries: o.queries, keys: o.keys, headDim: o.headDim, scale: o.scale,
                                   q: o.q, k: o.k, v: o.v, dOut: dOut, probs: probs, dq: dq, dk: dk, dv: dv)
        case .logSumExp(let logSumExp, let output):
            FusedAttention.backward(groups: o.groups, queries: o.queries, keys: o.keys, headDim: o.headDim, scale: o.scale,
                                    q: o.q, k: o.k, v: o.v, out: outputView(output, o), dOut: dOut, logSumExp: logSumExp,
                                    dq: dq, dk: dk, dv: dv)
            withExtendedLifetime(output) {}
        }
    }
}
