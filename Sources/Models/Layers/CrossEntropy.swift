// Softmax cross-entropy averaged over the batch, forward and backward side by side.
// Dimensions: B = batch, K = classes.
import Engine

public enum CrossEntropy {
    /// The loss's two tensors: the softmax probabilities it keeps and the logits' gradient.
    static let probabilitiesScope = Scopes.register(ScopeName(region: .loss, layer: "cross_entropy", role: "probabilities"))
    static let gradientScope = Scopes.register(ScopeName(region: .loss, layer: "cross_entropy", role: "logits gradient"))

    /// What backward needs: the softmax probabilities and the labels.
    public struct Saved {
        public let probs: Tensor  // (B, K)
        public let labels: [Int]  // (B)
    }

    /// Mean over the batch of -log softmax(logits)[label].
    public static func forward(_ logits: Tensor, labels: [Int]) -> (Float, Saved) {
        let b = logits.shape[0], k = logits.shape[1]
        precondition(labels.count == b, "\(labels.count) labels for batch \(b)")
        let probs = logits.copy(scope: probabilitiesScope)
        var loss: Double = 0
        for bi in 0..<b {
            let row = probs.data + bi * k
            precondition(labels[bi] >= 0 && labels[bi] < k, "label \(labels[bi]) outside 0..<\(k)")
            var mx = -Float.infinity
            for j in 0..<k { mx = max(mx, row[j]) }
            var sum: Double = 0
            for j in 0..<k { sum += Foundation_exp(Double(row[j] - mx)) }
            let logSum = Float(Foundation_log(sum)) + mx
            loss += Double(logSum - row[labels[bi]])
            for j in 0..<k { row[j] = Float(Foundation_exp(Double(row[j] - logSum))) }
        }
        return (Float(loss / Double(b)), Saved(probs: probs, labels: labels))
    }

    /// `backward`, then the step's phase becomes backward (the head's backward follows).
    static func backwardEndingLoss(_ saved: Saved) -> Tensor {
        let d = backward(saved)
        Ledger.shared.phase = .backward
        return d
    }

    /// dlogits = (probs - onehot(label)) / B.
    public static func backward(_ saved: Saved) -> Tensor {
        let b = saved.probs.shape[0], k = saved.probs.shape[1]
        let d = saved.probs.copy(scope: gradientScope)
        let inv = 1 / Float(b)
        for bi in 0..<b {
            let row = d.data + bi * k
            row[saved.labels[bi]] -= 1
            for j in 0..<k { row[j] *= inv }
        }
        return d
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func Foundation_exp(_ x: Double) -> Double { Glibc.exp(x) }
@inline(__always) func Foundation_log(_ x: Double) -> Double { Glibc.log(x) }
#else
import Darwin
@inline(__always) func Foundation_exp(_ x: Double) -> Double { Darwin.exp(x) }
@inline(__always) func Foundation_log(_ x: Double) -> Double { Darwin.log(x) }
#endif
