// One entry to the two attention cores (MathAttention, FusedAttention) for everything that runs them: ViT's
// attention, MViT's pooling attention and `bench attention`. Forward returns what its core keeps for backward;
// backward dispatches on it, so a layer holds one value instead of one optional per core.
// Dimensions: G = groups (batch x heads), Nq = queries, Nk = keys, D = head dim.
import Engine

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
