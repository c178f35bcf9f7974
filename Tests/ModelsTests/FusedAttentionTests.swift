// The fused attention core against the math one (same weights, inputs and output gradient: output and every gradient
// within fp32 rounding), against finite differences, with several query blocks, and what it saves in the ledger:
// exactly the probabilities, less the log-sum-exps.
import XCTest
import Foundation
import Engine
import Models
import TestSupport

final class FusedAttentionTests: XCTestCase {
    /// Both cores on the same weights; N = 150 tokens spans three query blocks of 64.
    func testFusedMatchesMathOutputsAndGradients() {
        for (n, width, heads) in [(150, 32, 4), (17, 24, 3)] {
            let math = MultiHeadAttention("attn", width: width, heads: heads)
            let fused = MultiHeadAttention("attn", width: width, heads: heads, fused: true)
            randomize(math.parameters, seed: 21, std: 0.3)
            for (a, b) in zip(math.parameters, fused.parameters) { b.value.data.update(from: a.value.data, count: a.value.count) }
            let x = randomTensor([2, n, width], seed: 22), dy = randomTensor([2, n, width], seed: 23)
            let (ym, sm) = math.forward(x)
            let (yf, sf) = fused.forward(x)
            XCTAssertLessThan(maxRelativeDifference(yf.values, ym.values), 1e-5, "output, N \(n)")
            let dxm = math.backward(dy, sm), dxf = fused.backward(dy, sf)
            XCTAssertLessThan(maxRelativeDifference(dxf.values, dxm.values), 1e-4, "dx, N \(n)")
            for (a, b) in zip(math.parameters, fused.parameters) {
                XCTAssertLessThan(maxRelativeDifference(b.grad.values, a.grad.values), 1e-4, "\(a.name), N \(n)")
            }
        }
    }

    func testFusedAttentionGradientsAgainstFiniteDifferences() {
        let layer = MultiHeadAttention("attn", width: 8, heads: 2, fused: true)
        randomize(layer.parameters, seed: 6, std: 0.5)
        let x = randomTensor([2, 70, 8], seed: 7)   // two query blocks
        var saved: MultiHeadAttention.Saved?
        let results = GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { [layer.backward($0, saved!)] })
        XCTAssertFalse(results.isEmpty)
        for r in results { XCTAssertLessThan(r.error, gradientTolerance, r.name) }
    }

    /// A block's saved tensors shrink by exactly the probabilities (B x H x N x N floats), less the log-sum-exps
    /// (B x H x N).
    func testFusedSavesExactlyTheProbabilitiesLessTheLogSumExps() {
        let (b, n, width, heads) = (3, 50, 32, 4)
        func saved(fused: Bool) -> Int {
            let block = TransformerBlock("blocks.0", width: width, heads: heads, fusedAttention: fused)
            let x = randomTensor([b, n, width], seed: 5)
            let before = Ledger.shared.live(.activation)
            let (y, s) = block.forward(x)
            let bytes = Ledger.shared.live(.activation) - before - y.count * 4
            withExtendedLifetime(s) {}
            return bytes
        }
        XCTAssertEqual(saved(fused: false) - saved(fused: true), (b * heads * n * n - b * heads * n) * 4)
    }
}
