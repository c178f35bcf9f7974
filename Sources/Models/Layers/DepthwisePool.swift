// MViT's attention pooling conv: a depthwise 3x3 convolution over a T x T token grid whose D channels are one
// head's dims, weights shared by every head, padding 1, no bias. Forward and backward side by side.
// Tokens are channel-last rows read through a row stride, so q, k, v are pooled straight out of the qkv buffer.
// Dimensions: G = B * H grids, T = input side, S = output side = (T + 2 - 3) / stride + 1, D = channels.
import Engine

/// Depthwise 3x3 conv, stride s, padding 1, channels D, PyTorch weight layout (D, 1, 3, 3).
public final class DepthwisePool: ParameterOwner {
    public let weight: Parameter  // (D, 1, 3, 3)
    public let channels: Int, stride: Int
    let outputScope: ScopeID, workspaceScope: ScopeID

    public init(_ name: String, channels: Int, stride: Int) {
        self.channels = channels
        self.stride = stride
        weight = Parameter(qualified(name, "weight"), [channels, 1, 3, 3])
        outputScope = Scopes.register(layer: name, role: "conv output")
        workspaceScope = Scopes.register(layer: name, role: "weight gradient partial sums")
    }

    public var parameters: [Parameter] { [weight] }

    public func outputSide(_ t: Int) -> Int { (t + 2 - 3) / stride + 1 }

    /// Where one grid's input rows are: grid g's token i starts at base + offset(g) + i * rowStride.
    public struct Layout {
        public let grids: Int          // G
        public let side: Int           // T
        public let rowStride: Int      // floats between consecutive tokens
        public let gridOffset: (Int) -> Int
    }

    /// out (G, S*S, D) from the grids described by `layout` over `input`.
    public func forward(_ input: UnsafePointer<Float>, _ layout: Layout) -> Tensor {
        let t = layout.side, s = outputSide(t), d = channels, st = stride
        let out = Tensor([layout.grids, s * s, d], scope: outputScope)  // zeroed
        let w = weight.value.data, po = out.data
        Parallel.forChunks(layout.grids, grain: 1) { grids in
            for g in grids {
                let src = input + layout.gridOffset(g)
                for oy in 0..<s {
                    for ox in 0..<s {
                        let o = po + (g * s * s + oy * s + ox) * d
                        for ky in 0..<3 {
                            let iy = oy * st + ky - 1
                            if iy < 0 || iy >= t { continue }
                            for kx in 0..<3 {
                                let ix = ox * st + kx - 1
                                if ix < 0 || ix >= t { continue }
                                let x = src + (iy * t + ix) * layout.rowStride
                                let tap = ky * 3 + kx
                                for c in 0..<d { o[c] += w[c * 9 + tap] * x[c] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Adds dweight; adds d input into `dInput` (laid out as the input was).
    public func backward(_ dy: Tensor, input: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, _ layout: Layout) {
        let t = layout.side, s = outputSide(t), d = channels, st = stride
        let w = weight.value.data, dw = weight.grad.data, pdy = dy.data
        // Input gradients of different grids never overlap, so grids run in parallel; weight gradients are summed
        // per chunk into a workspace and reduced in chunk order.
        let chunks = Parallel.chunkCount(layout.grids, grain: 1)
        let partial = Tensor([chunks, d * 9], category: .workspace, scope: workspaceScope)
        let pp = partial.data
        Parallel.forChunks(layout.grids, chunks: chunks) { chunk, grids in
            let pdw = pp + chunk * d * 9
            for g in grids {
                let src = input + layout.gridOffset(g), dsrc = dInput + layout.gridOffset(g)
                for oy in 0..<s {
                    for ox in 0..<s {
                        let gy = pdy + (g * s * s + oy * s + ox) * d
                        for ky in 0..<3 {
                            let iy = oy * st + ky - 1
                            if iy < 0 || iy >= t { continue }
                            for kx in 0..<3 {
                                let ix = ox * st + kx - 1
                                if ix < 0 || ix >= t { continue }
                                let off = (iy * t + ix) * layout.rowStride
                                let x = src + off, dx = dsrc + off
                                let tap = ky * 3 + kx
                                for c in 0..<d {
                                    pdw[c * 9 + tap] += gy[c] * x[c]
                                    dx[c] += gy[c] * w[c * 9 + tap]
                                }
                            }
                        }
                    }
                }
            }
        }
        for k in 0..<chunks { for i in 0..<(d * 9) { dw[i] += pp[k * d * 9 + i] } }
    }
}
