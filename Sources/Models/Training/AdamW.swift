// AdamW with decoupled weight decay, its two state tensors per parameter accounted as optimizer state.
// One step is one parallel pass over all parameters end to end (the workers are woken once per step, not once per
// parameter tensor: ViT-S has 152 of them), each chunk updated by a 16-wide kernel; a scalar reference beside it.
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
    /// offsets[i] = elements of parameters[0..<i]; offsets.last = all of them (the step's flat index space).
    private let offsets: [Int]
    public private(set) var stepCount = 0

    public init(_ parameters: [Parameter], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        let mScope = Scopes.register(ScopeName(region: .optimizer, layer: "adamw", role: "exp_avg"))
        let vScope = Scopes.register(ScopeName(region: .optimizer, layer: "adamw", role: "exp_avg_sq"))
        m = parameters.map { Tensor($0.value.shape, category: .optimizerState, scope: mScope) }
        v = parameters.map { Tensor($0.value.shape, category: .optimizerState, scope: vScope) }
        offsets = parameters.reduce(into: [0]) { $0.append($0.last! + $1.count) }
    }

    /// The step's scalars, computed once per step.
    public struct Constants {
        public var beta1: Float, beta2: Float, eps: Float
        /// 1 - lr * weight decay.
        public var decay: Float
        /// lr / (1 - beta1^t).
        public var stepSize: Float
        /// 1 / sqrt(1 - beta2^t).
        public var inverseRootCorrection2: Float

        public init(beta1: Float, beta2: Float, eps: Float, decay: Float, stepSize: Float, inverseRootCorrection2: Float) {
            self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.decay = decay; self.stepSize = stepSize
            self.inverseRootCorrection2 = inverseRootCorrection2
        }
    }

    public func step() {
        stepCount += 1
        let bc1 = 1 - Float(Foundation_pow(Double(beta1), Double(stepCount)))
        let bc2 = 1 - Float(Foundation_pow(Double(beta2), Double(stepCount)))
        let k = Constants(beta1: beta1, beta2: beta2, eps: eps, decay: 1 - lr * weightDecay, stepSize: lr / bc1,
                          inverseRootCorrection2: 1 / bc2.squareRoot())
        let total = offsets.last!
        guard total > 0 else { return }
        let params = parameters, m = m, v = v, offsets = offsets
        Parallel.forChunks(total, grain: 1 << 15) { r in
            // The parameters this chunk of the flat index space covers, each from its first covered element.
            var i = 0
            while offsets[i + 1] <= r.lowerBound { i += 1 }
            var at = r.lowerBound
            while at < r.upperBound {
                let lo = at - offsets[i], hi = min(r.upperBound, offsets[i + 1]) - offsets[i]
                let p = params[i]
                AdamW.update(w: p.value.data + lo, g: p.grad.data + lo, m: m[i].data + lo, v: v[i].data + lo,
                             count: hi - lo, k)
                at += hi - lo; i += 1
            }
        }
    }

    /// The update of `count` elements, 16 at a time, then one at a time: the same operations in the same order as
    /// `referenceUpdate` (no fused multiply-adds), so the two agree bit for bit. Zeroes the gradient.
    @inline(__always)
    public static func update(w: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                              m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, _ k: Constants) {
        typealias V = SIMD16<Float>
        func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> V { UnsafeRawPointer(p + i).loadUnaligned(as: V.self) }
        func store(_ x: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: V.self) }
        let b1 = V(repeating: k.beta1), b2 = V(repeating: k.beta2), c1 = V(repeating: 1 - k.beta1), c2 = V(repeating: 1 - k.beta2)
        let decay = V(repeating: k.decay), stepSize = V(repeating: k.stepSize)
        let rbc2 = V(repeating: k.inverseRootCorrection2), eps = V(repeating: k.eps)
        var i = 0
        while i + 16 <= count {
            let gi = load(g, i)
            let mi = b1 * load(m, i) + c1 * gi
            let vi = b2 * load(v, i) + c2 * gi * gi
            store(mi, m, i); store(vi, v, i)
            // sqrt(|v|), v >= 0: Float.squareRoot() is libm's sqrtf with an errno branch for negative input, which
            // keeps the lanes scalar (vsqrtss + compare + branch each); of a known non-negative value it is vsqrtps.
            var root = V()
            for j in 0..<16 { root[j] = abs(vi[j]).squareRoot() }
            store(load(w, i) * decay - stepSize * mi / (root * rbc2 + eps), w, i)
            store(V(), g, i)
            i += 16
        }
        referenceUpdate(w: w + i, g: g + i, m: m + i, v: v + i, count: count - i, k)
    }

    /// The update one element at a time, as torch.optim.AdamW writes it (the reference for `update`).
    @inline(__always)
    public static func referenceUpdate(w: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, _ k: Constants) {
        for j in 0..<count {
            w[j] *= k.decay
            m[j] = k.beta1 * m[j] + (1 - k.beta1) * g[j]
            v[j] = k.beta2 * v[j] + (1 - k.beta2) * g[j] * g[j]
            w[j] -= k.stepSize * m[j] / (v[j].squareRoot() * k.inverseRootCorrection2 + k.eps)
            g[j] = 0
        }
    }
}
