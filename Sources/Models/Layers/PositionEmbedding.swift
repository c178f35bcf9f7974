// The learned position embedding of the reversible models (no class token), forward and backward side by side:
// x = tokens + pos, in place.
// Dimensions: B = batch, N = tokens, C = width.
import Engine

public final class PositionEmbedding: ParameterOwner {
    public let posEmbed: Parameter  // (1, N, C)

    public init(tokens n: Int, width c: Int) {
        posEmbed = Parameter("pos_embed", [1, n, c])
    }

    public var parameters: [Parameter] { [posEmbed] }

    /// tokens (B, N, C) += pos, in place; returns tokens.
    @discardableResult
    public func forward(_ tokens: Tensor) -> Tensor {
        let per = posEmbed.count, pos = posEmbed.value.data
        for bi in 0..<(tokens.count / per) {
            let row = tokens.data + bi * per
            for i in 0..<per { row[i] += pos[i] }
        }
        return tokens
    }

    /// Adds dpos = sum over the batch of dx; the gradient of the tokens is dx itself.
    public func backward(_ dx: Tensor) {
        let per = posEmbed.count, dPos = posEmbed.grad.data
        for bi in 0..<(dx.count / per) {
            let row = dx.data + bi * per
            for i in 0..<per { dPos[i] += row[i] }
        }
    }
}
