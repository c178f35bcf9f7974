// LayerNorm over the last dimension, forward and backward side by side.
// Dimensions: M = rows (B*N tokens), C = normalized features.
import Engine

/// y = (x - mean) * rstd * weight + bias, per row; rstd = 1 / sqrt(var + eps) (biased variance, as PyTorch).
public final class LayerNorm: ParameterOwner {
    public let weight: Parameter  // (C)
    public let bias: Parameter    // (C)
    public let features: Int
    public let eps: Float
    let scopes: LayerScopes
    let outputScope: ScopeID, statisticsScope: ScopeID, inputGradientScope: ScopeID, workspaceScope: ScopeID

    public init(_ name: String, _ features: Int, eps: Float = 1e-6) {
        self.features = features
        self.eps = eps
        weight = Parameter(qualified(name, "weight"), [features])
        bias = Parameter(qualified(name, "bias"), [features])
        weight.value.fill(1)
        scopes = LayerScopes(name)
        outputScope = scopes.role("output")
        statisticsScope = scopes.role("mean, rstd")
        inputGradientScope = scopes.role("input gradient")
        workspaceScope = scopes.role("weight gradient partial sums")
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// What backward needs, as PyTorch keeps it: the input and the per-row mean and rstd.
    public struct Saved {
        public let x: Tensor     // (M, C)
        public let mean: Tensor  // (M)
        public let rstd: Tensor  // (M)
    }

    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        let c = features
        precondition(x.lastDim == c, "LayerNorm(\(c)) got \(x.shape)")
        let outer = Scopes.enter(scopes.forward)
        defer { Scopes.leave(outer) }
        let m = x.rows
        let y = Tensor(x.shape, zeroed: false, scope: outputScope)        // (M, C)
        let mean = Tensor([m], zeroed: false, scope: statisticsScope)     // (M)
        let rstd = Tensor([m], zeroed: false, scope: statisticsScope)     // (M)
        let px = x.data, py = y.data, pm = mean.data, pr = rstd.data
        let w = weight.value.data, b = bias.value.data, eps = eps
        Parallel.forChunks(m, grain: 64) { rows in
            for r in rows {
                let xr = px + r * c, yr = py + r * c
                let mu = Vector.sum(xr, c) / Float(c)
                let rs = 1 / (Vector.sumSquaredDeviation(xr, c, mean: mu) / Float(c) + eps).squareRoot()
                for j in 0..<c { yr[j] = (xr[j] - mu) * rs * w[j] + b[j] }
                pm[r] = mu
                pr[r] = rs
            }
        }
        return (y, Saved(x: x, mean: mean, rstd: rstd))
    }

    /// Adds dweight, dbias; returns dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * weight. The saved
    /// input, mean and rstd are freed when this returns.
    public func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let c = features
        let outer = Scopes.enter(scopes.backward)
        defer { Scopes.leave(outer) }
        let m = saved.x.rows
        let dx = Tensor(saved.x.shape, zeroed: false, scope: inputGradientScope)  // (M, C)
        let chunks = Parallel.chunkCount(m, grain: 64)
        // Per-chunk partial sums of dweight and dbias, reduced in chunk order (deterministic for a worker count).
        let partial = Tensor([chunks, 2, c], category: .workspace, scope: workspaceScope)  // (chunks, 2, C)
        let px = saved.x.data, pdy = dy.data, pdx = dx.data, pm = saved.mean.data, pr = saved.rstd.data
        let w = weight.value.data, pp = partial.data
        Parallel.forChunks(m, chunks: chunks) { chunk, rows in
            let dw = pp + chunk * 2 * c, db = dw + c
            for r in rows {
                let xr = px + r * c, gr = pdy + r * c, dxr = pdx + r * c
                let mu = pm[r], rs = pr[r]
                // sum(g) and sum(g * xhat) with g = dy * w: the second is rs * (sum(g * x) - mu * sum(g)).
                var accG = SIMD16<Float>(), accGX = SIMD16<Float>()
                var j = 0
                while j + 16 <= c {
                    let g = load16(gr, j) * load16(w, j)
                    accG += g
                    accGX += g * load16(xr, j)
                    j += 16
                }
                var sumG = accG.sum(), sumGx = accGX.sum()
                while j < c { let g = gr[j] * w[j]; sumG += g; sumGx += g * xr[j]; j += 1 }
                let sumGX = rs * (sumGx - mu * sumG)
                for j in 0..<c {
                    dw[j] += gr[j] * ((xr[j] - mu) * rs)
                    db[j] += gr[j]
                }
                let meanG = sumG / Float(c), meanGX = sumGX / Float(c)
                for j in 0..<c {
                    let xhat = (xr[j] - mu) * rs
                    dxr[j] = rs * (gr[j] * w[j] - meanG - xhat * meanGX)
                }
            }
        }
        let gw = weight.grad.data, gb = bias.grad.data
        for k in 0..<chunks {
            let dw = pp + k * 2 * c, db = dw + c
            for j in 0..<c { gw[j] += dw[j]; gb[j] += db[j] }
        }
        return dx
    }
}

@inline(__always)
private func load16(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
}
