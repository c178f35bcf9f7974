// Max-pool 3x3, stride 2, padding 1 over a T x T token grid with C channels (channel-last), the class token (when
// present) passing through unchanged. MViT's skip path at Q-pooling blocks. Forward and backward side by side.
// Dimensions: B = batch, T = input side, S = (T - 1) / 2 + 1 output side, C = channels; a leading class token
// makes N = 1 + T*T tokens.
import Engine

public enum MaxPool {
    /// What backward needs: for every output element, the flat input index of its maximum (stored as Float,
    /// exact below 2^24).
    public struct Saved {
        public let argmax: Tensor  // (B, N_out, C)
        public let inputShape: [Int]
    }

    public static func outputSide(_ t: Int) -> Int { (t - 1) / 2 + 1 }

    /// x (B, cls + T*T, C) -> (B, cls + S*S, C).
    public static func forward(_ x: Tensor, side t: Int, classToken: Bool) -> (Tensor, Saved) {
        let b = x.shape[0], c = x.shape[2], s = outputSide(t), off = classToken ? 1 : 0
        let nIn = off + t * t, nOut = off + s * s
        let y = Tensor([b, nOut, c], zeroed: false)
        let arg = Tensor([b, nOut, c], zeroed: false)
        for bi in 0..<b {
            let xin = x.data + bi * nIn * c, yo = y.data + bi * nOut * c, ao = arg.data + bi * nOut * c
            if classToken {
                for ch in 0..<c { yo[ch] = xin[ch]; ao[ch] = Float(bi * nIn * c + ch) }
            }
            for oy in 0..<s {
                for ox in 0..<s {
                    let o = (off + oy * s + ox) * c
                    for ch in 0..<c { yo[o + ch] = -.infinity }
                    for ky in 0..<3 {
                        let iy = oy * 2 + ky - 1
                        if iy < 0 || iy >= t { continue }
                        for kx in 0..<3 {
                            let ix = ox * 2 + kx - 1
                            if ix < 0 || ix >= t { continue }
                            let i = (off + iy * t + ix) * c
                            for ch in 0..<c where xin[i + ch] > yo[o + ch] {
                                yo[o + ch] = xin[i + ch]
                                ao[o + ch] = Float(bi * nIn * c + i + ch)
                            }
                        }
                    }
                }
            }
        }
        return (y, Saved(argmax: arg, inputShape: x.shape))
    }

    /// dx scatters dy to each maximum.
    public static func backward(_ dy: Tensor, _ saved: consuming Saved) -> Tensor {
        let dx = Tensor(saved.inputShape)  // zeroed
        let a = saved.argmax.data, g = dy.data, d = dx.data
        for i in 0..<dy.count { d[Int(a[i])] += g[i] }
        return dx
    }
}
