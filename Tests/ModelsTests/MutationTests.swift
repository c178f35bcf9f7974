// The gradient checker rejects wrong backwards: each test breaks a correct backward in one classic way and
// asserts the check reports an error far above the tolerance the layer tests use.
import XCTest
import Engine
import Models
import TestSupport

final class MutationTests: XCTestCase {
    func testSignFlipIsCaught() {
        let layer = Linear("fc", 6, 6)
        randomize(layer.parameters, seed: 1)
        let x = randomTensor([4, 6], seed: 2)
        var saved: Linear.Saved?
        let results = GradientCheck.check(inputs: [("x", x)], parameters: [],
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { dy in let dx = layer.backward(dy, saved!)!; Elementwise.scale(dx, by: -1); return [dx] })
        XCTAssertGreaterThan(GradientCheck.worst(results), 1.5)
    }

    func testTransposedWeightIsCaught() {
        let layer = Linear("fc", 6, 6, bias: false)
        randomize(layer.parameters, seed: 3)
        let x = randomTensor([4, 6], seed: 4)
        let results = GradientCheck.check(inputs: [("x", x)], parameters: [],
            forward: { layer.forward(x).0 },
            backward: { dy in
                // dx = dy W^T instead of dy W
                let dx = Tensor([4, 6])
                BLAS.gemm(transB: true, m: 4, n: 6, k: 6, a: dy.data, lda: 6, b: layer.weight.value.data, ldb: 6,
                          c: dx.data, ldc: 6)
                return [dx]
            })
        XCTAssertGreaterThan(GradientCheck.worst(results), 0.3)
    }

    func testMissingActivationDerivativeIsCaught() {
        let mlp = MLP("mlp", width: 5, hidden: 10)
        randomize(mlp.parameters, seed: 5, std: 0.6)
        let x = randomTensor([3, 5], seed: 6)
        var saved: MLP.Saved?
        let results = GradientCheck.check(inputs: [("x", x)], parameters: mlp.parameters,
            forward: { let (y, s) = mlp.forward(x); saved = s; return y },
            backward: { dy in
                let da = mlp.fc2.backward(dy, saved!.fc2Saved)!
                return [mlp.fc1.backward(da, saved!.fc1Saved)!]  // GELU' term left out
            })
        XCTAssertGreaterThan(GradientCheck.worst(results), 0.1)
    }

    func testMissingBiasGradientIsCaught() {
        let layer = LayerNorm("norm", 6)
        randomize(layer.parameters, seed: 7, std: 0.8)
        let x = randomTensor([4, 6], seed: 8)
        var saved: LayerNorm.Saved?
        let results = GradientCheck.check(inputs: [], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { dy in _ = layer.backward(dy, saved!); layer.bias.grad.zero(); return [] })
        XCTAssertGreaterThan(GradientCheck.worst(results), 0.9)
    }
}
