// Plain SGD (with optional momentum): the optimizer of the gradient-check tests.
import Engine

/// torch.optim.SGD with momentum: buf = mu * buf + g (+ wd * p); p -= lr * buf.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var lr: Float, momentum: Float, weightDecay: Float
    private let buffers: [Tensor]  // category optimizerState
    private var started = false

    public init(_ parameters: [Parameter], lr: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 0) {
        self.parameters = parameters
        self.lr = lr; self.momentum = momentum; self.weightDecay = weightDecay
        let scope = Scopes.register(ScopeName(region: .optimizer, layer: "sgd", role: "momentum_buffer"))
        buffers = parameters.map { Tensor($0.value.shape, category: .optimizerState, scope: scope) }
    }

    public func step() {
        let first = !started
        started = true
        for (i, p) in parameters.enumerated() {
            let w = p.value.data, g = p.grad.data, buf = buffers[i].data
            for j in 0..<p.count {
                let grad = g[j] + weightDecay * w[j]
                buf[j] = first ? grad : momentum * buf[j] + grad  // PyTorch: first step buf = grad
                w[j] -= lr * buf[j]
                g[j] = 0
            }
        }
    }
}
