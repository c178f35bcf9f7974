// GELU activation (exact-erf form, PyTorch's default), forward and backward side by side.
// Error of the vectorized approximation: see Engine/FastMath.swift (<= 1e-6 absolute).
import Engine

/// y = x * Phi(x).
public enum GELU {
    /// What backward needs: the input, as PyTorch keeps it.
    public struct Saved {
        public let x: Tensor  // any shape
    }

    public static func forward(_ x: Tensor) -> (Tensor, Saved) {
        let y = Tensor(x.shape, zeroed: false)
        let px = x.data, py = y.data
        Parallel.forChunks(x.count, grain: 1 << 14) { r in
            for i in r { py[i] = FastMath.gelu(px[i]) }
        }
        return (y, Saved(x: x))
    }

    /// dx = dy * GELU'(x), written over `dy` when `inPlace` (dy is not needed afterwards).
    public static func backward(_ dy: Tensor, _ saved: consuming Saved, inPlace: Bool = false) -> Tensor {
        let px = saved.x.data, pdy = dy.data
        if inPlace {
            // dy *= GELU'(x): one written buffer, disjoint from x, so the loop vectorizes. Written as
            // dx[i] = dy[i] * ... with dx == dy, the vectorizer's overlap check fails and the loop runs scalar
            // (measured 8x slower; 8% of a ViT-S training step).
            Parallel.forChunks(dy.count, grain: 1 << 14) { r in
                for i in r { pdy[i] *= FastMath.geluDerivative(px[i]) }
            }
            return dy
        }
        let dx = Tensor(dy.shape, zeroed: false)
        let pdx = dx.data
        Parallel.forChunks(dy.count, grain: 1 << 14) { r in
            for i in r { pdx[i] = pdy[i] * FastMath.geluDerivative(px[i]) }
        }
        return dx
    }
}
