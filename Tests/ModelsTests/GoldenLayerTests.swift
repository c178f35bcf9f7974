// Layers against PyTorch: outputs and every gradient from Tests/Fixtures (made by scripts/make_fixtures.py).
import XCTest
import Engine
import Models
import TestSupport

/// Tolerance on max |ours - torch| / max |torch| for float32 computations that differ only in summation order.
let goldenTolerance: Float = 1e-4

final class GoldenLayerTests: XCTestCase {
    /// Loads the fixture's weights, runs forward with its x and backward with its dy, compares y, dx, all grads.
    func compare(_ fixtureName: String, parameters: [Parameter], run: (Tensor, Tensor) -> (y: Tensor, dx: Tensor)) throws {
        let fx = try Fixture(fixtureName)
        try fx.load(into: parameters)
        parameters.zeroGradients()
        let (y, dx) = run(try fx.tensor("x"), try fx.tensor("dy"))
        XCTAssertLessThan(maxRelativeDifference(y.values, try fx.values("y")), goldenTolerance, "\(fixtureName) y (torch \(fx.torchVersion))")
        XCTAssertLessThan(maxRelativeDifference(dx.values, try fx.values("dx")), goldenTolerance, "\(fixtureName) dx")
        for p in parameters {
            XCTAssertLessThan(maxRelativeDifference(p.grad.values, try fx.values("grad." + p.name)), goldenTolerance,
                              "\(fixtureName) grad \(p.name)")
        }
        let fixtureParams = fx.names.filter { $0.hasPrefix("param.") }.count
        XCTAssertEqual(fixtureParams, parameters.count, "every PyTorch parameter is compared")
    }

    func testLayerNormMatchesPyTorch() throws {
        let layer = LayerNorm("", 16)
        try compare("layernorm", parameters: layer.parameters) { x, dy in
            let (y, s) = layer.forward(x)
            return (y, layer.backward(dy, s))
        }
    }

    func testAttentionMatchesPyTorch() throws {
        let layer = MultiHeadAttention("", width: 16, heads: 4)
        try compare("attention", parameters: layer.parameters) { x, dy in
            let (y, s) = layer.forward(x)
            return (y, layer.backward(dy, s))
        }
    }

    func testPreNormBlockMatchesPyTorch() throws {
        let block = TransformerBlock("", width: 16, heads: 4)
        try compare("block", parameters: block.parameters) { x, dy in
            let (y, s) = block.forward(x)
            return (y, block.backward(dy, s))
        }
    }
}
