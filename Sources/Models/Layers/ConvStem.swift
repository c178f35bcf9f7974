// A k x k convolution with stride s and padding p over an image, as im2col + one GEMM (MViT's 7x7 stride-4 stem).
// Forward and backward side by side. The patch embedding is the special case k = s, p = 0 (see PatchEmbed).
// Dimensions: B = batch, Cin = channels, S = image side, O = (S + 2p - k) / s + 1 output side, K = Cin*k*k,
// C = output channels; output tokens are the O*O positions in row-major order, channel-last.
import Engine

/// Conv2d(Cin, C, k, stride s, padding p) with bias, PyTorch weight layout (C, Cin, k, k).
public final class ConvStem: ParameterOwner {
    public let proj: Linear  // K -> C
    /// The unfolded image patches (rebuilt in backward) and the images' gradient.
    let columnsScope: ScopeID, inputGradientScope: ScopeID
    public let channels: Int, kernel: Int, stride: Int, padding: Int, imageSize: Int

    public init(_ name: String, imageSize: Int, channels: Int = 3, width: Int, kernel: Int, stride: Int, padding: Int) {
        self.channels = channels; self.kernel = kernel; self.stride = stride; self.padding = padding
        self.imageSize = imageSize
        columnsScope = Scopes.register(layer: name, role: "im2col columns")
        inputGradientScope = Scopes.register(layer: name, role: "input gradient")
        proj = Linear(qualified(name, "proj"), channels * kernel * kernel, width)
    }

    public var parameters: [Parameter] { proj.parameters }
    public var outputSide: Int { (imageSize + 2 * padding - kernel) / stride + 1 }

    /// What backward needs: the images, as PyTorch's conv keeps its input (they are the step's input, not an
    /// activation). The im2col columns are rebuilt in backward rather than kept from forward to backward.
    public struct Saved {
        public let images: Tensor  // (B, Cin, S, S)
    }

    /// images (B, Cin, S, S) -> (B, O*O, C).
    public func forward(_ images: Tensor) -> (Tensor, Saved) {
        let (y, _) = proj.forward(columns(images))   // the columns are freed here
        return (y, Saved(images: images))
    }

    /// im2col: (B, O*O, Cin*K*K), zero where a tap falls in the padding.
    func columns(_ images: Tensor) -> Tensor {
        let b = images.shape[0], o = outputSide, k = kernel, kk = channels * k * k, s = imageSize
        let cols = Tensor([b, o * o, kk], scope: columnsScope)  // zeroed: padding taps stay 0
        let src = images.data, dst = cols.data
        let (st, pad, ch) = (stride, padding, channels)
        Parallel.forChunks(b * o, grain: 1) { rows in
            for r in rows {
                let bi = r / o, oy = r % o
                for ox in 0..<o {
                    let row = dst + ((bi * o + oy) * o + ox) * kk
                    for c in 0..<ch {
                        for ky in 0..<k {
                            let iy = oy * st + ky - pad
                            if iy < 0 || iy >= s { continue }
                            for kx in 0..<k {
                                let ix = ox * st + kx - pad
                                if ix < 0 || ix >= s { continue }
                                row[(c * k + ky) * k + kx] = src[((bi * ch + c) * s + iy) * s + ix]
                            }
                        }
                    }
                }
            }
        }
        return cols
    }

    /// Adds weight and bias gradients; returns d images when `inputGradient`.
    @discardableResult
    public func backward(_ dy: Tensor, _ saved: consuming Saved, inputGradient: Bool = false) -> Tensor? {
        let cols = columns(saved.images)
        _ = consume saved
        guard let dCols = proj.backward(dy, Linear.Saved(x: consume cols), inputGradient: inputGradient) else { return nil }
        let b = dy.shape[0], o = outputSide, k = kernel, kk = channels * k * k, s = imageSize
        let dImages = Tensor([b, channels, s, s], scope: inputGradientScope)
        for bi in 0..<b {
            for oy in 0..<o {
                for ox in 0..<o {
                    let row = dCols.data + ((bi * o + oy) * o + ox) * kk
                    for c in 0..<channels {
                        for ky in 0..<k {
                            let iy = oy * stride + ky - padding
                            if iy < 0 || iy >= s { continue }
                            for kx in 0..<k {
                                let ix = ox * stride + kx - padding
                                if ix < 0 || ix >= s { continue }
                                dImages.data[((bi * channels + c) * s + iy) * s + ix] += row[(c * k + ky) * k + kx]
                            }
                        }
                    }
                }
            }
        }
        return dImages
    }
}
