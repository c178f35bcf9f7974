// Gradients of every parameter copied out of a model, and how far one set is from a reference.
import Foundation
import Engine
import Models

/// Gradients of every parameter, copied out of the model.
struct GradientSet {
    let names: [String]
    let values: [[Float]]

    init(_ parameters: [Parameter]) {
        names = parameters.map(\.name)
        values = parameters.map(\.grad.values)
    }

    /// (||a - ref|| / ||ref|| over all, worst per-tensor ratio with its name). A tensor's denominator is floored at
    /// 1e-3 of the largest tensor norm: some gradients are zero in exact arithmetic and their rounding has no scale.
    static func relativeError(_ a: GradientSet, reference: GradientSet) -> (overall: Double, worst: Double, name: String) {
        var diffSq = 0.0, refSq = 0.0
        var perTensor: [(Double, Double)] = []
        for (x, r) in zip(a.values, reference.values) {
            var d = 0.0, n = 0.0
            for (xi, ri) in zip(x, r) { let e = Double(xi) - Double(ri); d += e * e; n += Double(ri) * Double(ri) }
            diffSq += d; refSq += n
            perTensor.append((d.squareRoot(), n.squareRoot()))
        }
        let floor = 1e-3 * (perTensor.map(\.1).max() ?? 0)
        var worst = 0.0, name = ""
        for (i, (d, n)) in perTensor.enumerated() {
            let ratio = d / max(n, floor, .leastNonzeroMagnitude)
            if ratio > worst { worst = ratio; name = reference.names[i] }
        }
        return (refSq > 0 ? (diffSq / refSq).squareRoot() : diffSq.squareRoot(), worst, name)
    }
}
