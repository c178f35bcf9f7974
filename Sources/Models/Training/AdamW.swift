// AdamW with decoupled weight decay, its two state tensors per parameter accounted as optimizer state.
import Engine
#if canImport(Glibc)
import Glibc
@inline(__always) func Foundation_pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
import Darwin
@inline(__always) func Foundation_pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif

/// torch.optim.AdamW: p -= lr * (m_hat / (sqrt(v_hat) + eps) + wd * p).
public final class AdamW: Optimizer {
    public let parameters: [Parameter]
    public var lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    private let m: [Tensor], v: [Tensor]  // per parameter, category optimizerState
    public private(set) var stepCount = 0

    public init(_ parameters: [Parameter], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        let mScope = Scopes.register(ScopeName(region: .optimizer, layer: "adamw", role: "exp_avg"))
        let vScope = Scopes.register(ScopeName(region: .optimizer, layer: "adamw", role: "exp_avg_sq"))
        m = parameters.map { Tensor($0.value.shape, category: .optimizerState, scope: mScope) }
        v = parameters.map { Tensor($0.value.shape, category: .optimizerState, scope: vScope) }
    }

    public func step() {
        stepCount += 1
        let bc1 = 1 - Float(Foundation_pow(Double(beta1), Double(stepCount)))
        let bc2 = 1 - Float(Foundation_pow(Double(beta2), Double(stepCount)))
        let lr = lr, b1 = beta1, b2 = beta2, eps = eps, decay = 1 - lr * weightDecay
        let stepSize = lr / bc1, rbc2 = 1 / bc2.squareRoot()
        for (i, p) in parameters.enumerated() {
            let w = p.value.data, g = p.grad.data, mi = m[i].data, vi = v[i].data
            Parallel.forChunks(p.count, grain: 1 << 15) { r in
                for j in r {
                    w[j] *= decay
                    mi[j] = b1 * mi[j] + (1 - b1) * g[j]
                    vi[j] = b2 * vi[j] + (1 - b2) * g[j] * g[j]
                    w[j] -= stepSize * mi[j] / (vi[j].squareRoot() * rbc2 + eps)
                    g[j] = 0
                }
            }
        }
    }
}
