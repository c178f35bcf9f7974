// How activation memory scales with depth, read from the ledger (exact and deterministic, so asserted exactly).
import XCTest
import Engine
import Models
import TestSupport

/// Peak activation bytes above the pre-step level during one forward/backward.
func activationPeak(_ variant: Variant, depth: Int, batch: Int = 2) throws -> Int {
    let model = Presets.makeModel(try Presets.configuration("vit_tiny_test") { $0.depth = depth }, variant: variant, seed: 1)
    let (images, labels) = syntheticBatch(model.config, batch: batch, seed: 2)
    let before = Ledger.shared.live(.activation)
    Ledger.shared.resetPeaks()
    _ = model.forwardBackward(images: images, labels: labels)
    XCTAssertEqual(Ledger.shared.live(.activation), before, "a step leaves no activation behind")
    return Ledger.shared.peak(.activation) - before
}

final class MemoryBehaviourTests: XCTestCase {
    let tiny = try! Presets.named("vit_tiny_test").config

    func testStandardActivationsGrowLinearlyWithDepth() throws {
        let peaks = try (2...5).map { try activationPeak(.standard, depth: $0) }
        let steps = zip(peaks.dropFirst(), peaks).map { $0 - $1 }
        XCTAssertGreaterThan(steps[0], 0)
        XCTAssertEqual(Set(steps).count, 1, "equal growth per block: \(peaks)")
        // Per block, per token: block input, LN1 out, qkv (3C), context, x1, LN2 out, fc1 out (4C), GELU out (4C)
        // = 16C floats, plus LayerNorm mean/rstd (4 floats) and the attention probabilities (H x N floats).
        let b = 2, n = tiny.tokens(.standard), c = tiny.width, h = tiny.heads
        XCTAssertEqual(steps[0], 4 * b * n * (16 * c + 4 + h * n))
    }

    func testReversibleActivationPeakDoesNotDependOnDepth() throws {
        XCTAssertEqual(try activationPeak(.reversible, depth: 4), try activationPeak(.reversible, depth: 16))
    }

    func testCheckpointedGrowsByOneBlockInputPerBlock() throws {
        let peaks = try (3...5).map { try activationPeak(.checkpointed, depth: $0) }
        let blockInput = 4 * 2 * tiny.tokens(.checkpointed) * tiny.width
        XCTAssertEqual(peaks[1] - peaks[0], blockInput)
        XCTAssertEqual(peaks[2] - peaks[1], blockInput)
    }

    func testOrderingAtDepth16() throws {
        let s = try activationPeak(.standard, depth: 16)
        let c = try activationPeak(.checkpointed, depth: 16)
        let r = try activationPeak(.reversible, depth: 16)
        XCTAssertGreaterThan(s, c)
        XCTAssertGreaterThan(c, r)
    }
}
