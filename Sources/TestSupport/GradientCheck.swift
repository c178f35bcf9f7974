// Finite-difference gradient check. The scalar checked is L = sum(y * R) for a fixed random R, so backward is
// called with dy = R, and each checked coordinate's analytic gradient is compared with a central difference.
import Engine
import Models

public enum GradientCheck {
    /// The relative error ||analytic - numeric|| / max(||numeric||, ||analytic||, 0.01) over sampled coordinates.
    /// `forward` recomputes the output from the current contents of every input; `probe` is R.
    public static func relativeError(of tensor: Tensor, analytic: Tensor, probe: Tensor,
                                     samples: Int = 40, eps: Float = 1e-2, seed: UInt64 = 7,
                                     forward: () -> Tensor) -> Double {
        precondition(analytic.count == tensor.count, "gradient shape \(analytic.shape) vs \(tensor.shape)")
        var rng = SeededRNG(seed: seed)
        let indices: [Int] = tensor.count <= samples ? Array(0..<tensor.count)
            : (0..<samples).map { _ in rng.int(below: tensor.count) }
        var diff2 = 0.0, norm2 = 0.0, analytic2 = 0.0
        for i in indices {
            let saved = tensor[i]
            tensor[i] = saved + eps
            let plus = dot(forward(), probe)
            tensor[i] = saved - eps
            let minus = dot(forward(), probe)
            tensor[i] = saved
            let numeric = (plus - minus) / (2 * Double(eps))
            let a = Double(analytic[i])
            diff2 += (a - numeric) * (a - numeric)
            norm2 += numeric * numeric
            analytic2 += a * a
        }
        // The floor keeps gradients that are zero by symmetry (e.g. a bias added to every attention key, which
        // softmax ignores) from turning rounding noise into a relative error of 1.
        return diff2.squareRoot() / max(norm2.squareRoot(), analytic2.squareRoot(), 1e-2)
    }

    /// sum(y * r) in Double.
    public static func dot(_ y: Tensor, _ r: Tensor) -> Double {
        precondition(y.count == r.count, "output \(y.shape) vs probe \(r.shape)")
        var s = 0.0
        for i in 0..<y.count { s += Double(y[i]) * Double(r[i]) }
        return s
    }
}

extension GradientCheck {
    /// One checked tensor's name and relative error.
    public struct Result: CustomStringConvertible {
        public let name: String
        public let error: Double
        public var description: String { "\(name): \(error)" }
    }

    /// Checks a layer: runs forward, backward with dy = R (parameter gradients zeroed first), then compares the
    /// analytic gradient of each input and parameter with central differences of L = sum(forward() * R).
    /// `backward` returns the input gradients in the order of `inputs`.
    public static func check(inputs: [(String, Tensor)], parameters: [Parameter], seed: UInt64 = 11,
                             samples: Int = 40, eps: Float = 1e-2,
                             forward: () -> Tensor, backward: (Tensor) -> [Tensor]) -> [Result] {
        let y = forward()
        let probe = randomTensor(y.shape, seed: seed)
        parameters.zeroGradients()
        let inputGrads = backward(probe)
        precondition(inputGrads.count == inputs.count, "backward returned \(inputGrads.count) gradients for \(inputs.count) inputs")
        var results: [Result] = []
        for ((name, x), g) in zip(inputs, inputGrads) {
            results.append(Result(name: name, error: relativeError(of: x, analytic: g, probe: probe,
                                                                   samples: samples, eps: eps, forward: forward)))
        }
        for p in parameters {
            results.append(Result(name: p.name, error: relativeError(of: p.value, analytic: p.grad, probe: probe,
                                                                     samples: samples, eps: eps, forward: forward)))
        }
        return results
    }

    /// The largest error among `results`.
    public static func worst(_ results: [Result]) -> Double { results.map(\.error).max() ?? 0 }
}
