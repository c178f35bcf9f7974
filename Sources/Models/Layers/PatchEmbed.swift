// Patch embedding: a k x k convolution with stride k, done as im2col + one GEMM. Forward and backward side by side.
// Dimensions: B = batch, Cin = image channels, S = image side, P = patch side, G = S / P patches per side,
// Np = G*G patches, K = Cin*P*P patch vector, C = embedding width.
import Engine

/// Conv2d(Cin, C, kernel P, stride P) with PyTorch's weight layout (C, Cin, P, P).
public final class PatchEmbed: ParameterOwner {
    public let proj: Linear  // K -> C; weight (C, K) is the conv weight (C, Cin, P, P) flattened
    /// The unfolded image patches (rebuilt in backward) and the images' gradient.
    let columnsScope: ScopeID, inputGradientScope: ScopeID
    public let channels: Int, patch: Int, imageSize: Int, width: Int

    public init(_ name: String, imageSize: Int, patch: Int, channels: Int = 3, width: Int) {
        precondition(imageSize % patch == 0, "image size \(imageSize) is not divisible by patch size \(patch)")
        self.channels = channels
        self.patch = patch
        self.imageSize = imageSize
        self.width = width
        columnsScope = Scopes.register(layer: name, role: "im2col columns")
        inputGradientScope = Scopes.register(layer: name, role: "input gradient")
        proj = Linear(qualified(name, "proj"), channels * patch * patch, width)
    }

    public var parameters: [Parameter] { proj.parameters }
    public var gridSide: Int { imageSize / patch }
    public var patchCount: Int { gridSide * gridSide }

    /// What backward needs: the images, as PyTorch's conv keeps its input (they are the step's input, not an
    /// activation). The unfolded patches are rebuilt in backward rather than kept from forward to backward.
    public struct Saved {
        public let images: Tensor  // (B, Cin, S, S)
    }

    /// The images unfolded into patch rows (B, Np, K).
    func patches(_ images: Tensor) -> Tensor {
        let b = images.shape[0]
        let patches = Tensor([b, patchCount, channels * patch * patch], zeroed: false, scope: columnsScope)  // (B, Np, K)
        Self.unfold(images.data, into: patches.data, batch: b, channels: channels, side: imageSize, patch: patch)
        return patches
    }

    /// images (B, Cin, S, S) -> tokens (B, Np, C), tokens in row-major patch order.
    public func forward(_ images: Tensor) -> (Tensor, Saved) {
        let (y, _) = proj.forward(patches(images))   // the patches are freed here
        return (y, Saved(images: images))
    }

    /// Adds weight and bias gradients; returns d images (B, Cin, S, S) when `inputGradient`.
    @discardableResult
    public func backward(_ dy: Tensor, _ saved: consuming Saved, inputGradient: Bool = false) -> Tensor? {
        let unfolded = patches(saved.images)
        _ = consume saved
        guard let dPatches = proj.backward(dy, Linear.Saved(x: consume unfolded), inputGradient: inputGradient) else { return nil }
        let b = dy.shape[0]
        let dImages = Tensor([b, channels, imageSize, imageSize], zeroed: false, scope: inputGradientScope)
        Self.fold(dPatches.data, into: dImages.data, batch: b, channels: channels, side: imageSize, patch: patch)
        return dImages
    }

    /// im2col for non-overlapping patches: row (b, gy, gx) holds [c][py][px].
    static func unfold(_ img: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                       batch: Int, channels: Int, side: Int, patch: Int) {
        let g = side / patch, k = channels * patch * patch
        for bi in 0..<batch {
            for gy in 0..<g {
                for gx in 0..<g {
                    let row = out + ((bi * g + gy) * g + gx) * k
                    for c in 0..<channels {
                        for py in 0..<patch {
                            let src = img + ((bi * channels + c) * side + gy * patch + py) * side + gx * patch
                            (row + (c * patch + py) * patch).update(from: src, count: patch)
                        }
                    }
                }
            }
        }
    }

    /// The inverse scatter of `unfold` (patches do not overlap, so it is a permutation).
    static func fold(_ cols: UnsafePointer<Float>, into img: UnsafeMutablePointer<Float>,
                     batch: Int, channels: Int, side: Int, patch: Int) {
        let g = side / patch, k = channels * patch * patch
        for bi in 0..<batch {
            for gy in 0..<g {
                for gx in 0..<g {
                    let row = cols + ((bi * g + gy) * g + gx) * k
                    for c in 0..<channels {
                        for py in 0..<patch {
                            let dst = img + ((bi * channels + c) * side + gy * patch + py) * side + gx * patch
                            dst.update(from: row + (c * patch + py) * patch, count: patch)
                        }
                    }
                }
            }
        }
    }
}
