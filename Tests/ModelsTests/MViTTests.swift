// MViT-B and Rev-MViT-B: exact sizes, a PyTorch golden block, reversible recompute gradients equal to
// store-everything ones across stage transitions, checkpointed equal to standard, training lowers the loss.
import XCTest
import Engine
import Models
import TestSupport

/// The bias of the key pool's LayerNorm adds the same vector to every key: each score row shifts by a constant,
/// which softmax ignores, so its true gradient is zero and only rounding noise is left to compare.
func isZeroBySymmetry(_ p: Parameter) -> Bool { p.name.hasSuffix("norm_k.bias") }

final class MViTTests: XCTestCase {
    func testExactCountsOfMViTB() throws {
        let base = try Presets.named("mvit_base_16"), rev = try Presets.named("rev_mvit_base_16")
        XCTAssertEqual(rev.pairName, "mvit_base_16")
        XCTAssertEqual(Presets.makeModel(base.config, variant: .standard, initialize: false).parameterCount, 36_982_600)
        XCTAssertEqual(Presets.makeModel(rev.config, variant: .reversible, initialize: false).parameterCount, 39_689_320)
        XCTAssertEqual(Double(base.config.macsPerImage(.standard)) / 7.81e9, 1, accuracy: 0.005)
        XCTAssertEqual(Double(rev.config.macsPerImage(.reversible)) / 8.64e9, 1, accuracy: 0.005)
    }

    func testPlanOfMViTB() throws {
        let plan = MViTPlan(try Presets.named("mvit_base_16").config)
        XCTAssertEqual(plan.blocks.filter(\.isTransition).map(\.index), [1, 3, 14])
        XCTAssertEqual(plan.blocks.filter { $0.outWidth != $0.width }.map(\.index), [0, 2, 13])
        XCTAssertEqual(plan.blocks.map(\.side), [56, 56, 28, 28] + Array(repeating: 14, count: 11) + [7])
        XCTAssertEqual(plan.blocks.map(\.kvSide), [14, 28, 14, 28] + Array(repeating: 14, count: 11) + [7])
        XCTAssertTrue(plan.blocks.allSatisfy { $0.width / $0.heads == 96 })
    }

    func testMViTBlockMatchesPyTorch() throws {
        let fx = try Fixture("mvit_block")
        let spec = MViTBlockSpec(index: 0, stage: 1, width: 8, outWidth: 16, heads: 2, qStride: 2, kvStride: 2, side: 4)
        let block = MViTBlock("", spec)
        try fx.load(into: block.parameters)
        block.parameters.zeroGradients()
        XCTAssertEqual(fx.names.filter { $0.hasPrefix("param.") }.count, block.parameters.count)
        let (y, saved) = block.forward(try fx.tensor("x"))
        XCTAssertLessThan(maxRelativeDifference(y.values, try fx.values("y")), goldenTolerance, "y (torch \(fx.torchVersion))")
        let dx = block.backward(try fx.tensor("dy"), saved)
        XCTAssertLessThan(maxRelativeDifference(dx.values, try fx.values("dx")), goldenTolerance, "dx")
        for p in block.parameters {
            if isZeroBySymmetry(p) {
                XCTAssertLessThan(p.grad.values.map(abs).max()!, 1e-5, p.name)
                XCTAssertLessThan(try fx.values("grad." + p.name).map(abs).max()!, 1e-5, p.name)
                continue
            }
            XCTAssertLessThan(maxRelativeDifference(p.grad.values, try fx.values("grad." + p.name)), goldenTolerance, p.name)
        }
    }

    func testConvStemMatchesPyTorch() throws {
        let fx = try Fixture("conv_stem")
        let stem = ConvStem("", imageSize: 9, channels: 3, width: 4, kernel: 7, stride: 4, padding: 3)
        try fx.load(into: stem.parameters)
        stem.parameters.zeroGradients()
        let (y, saved) = stem.forward(try fx.tensor("x"))
        XCTAssertLessThan(maxRelativeDifference(y.values, try fx.values("y")), goldenTolerance, "y (torch \(fx.torchVersion))")
        let dx = stem.backward(try fx.tensor("dy"), saved, inputGradient: true)!
        XCTAssertLessThan(maxRelativeDifference(dx.values, try fx.values("dx")), goldenTolerance, "dx")
        for p in stem.parameters {
            XCTAssertLessThan(maxRelativeDifference(p.grad.values, try fx.values("grad." + p.name)), goldenTolerance, p.name)
        }
    }

    /// A tiny Rev-MViT with a run of 3 reversible blocks after a stage transition (depth 9: stages 1, 2, 4, 2).
    func tinyConfig(dropPath: Float = 0) throws -> ModelConfiguration {
        var c = try Presets.named("mvit_tiny_test").config
        c.depth = 9
        c.dropPath = dropPath
        return c
    }

    func testReversibleRecomputeGradientsEqualStoreEverything() throws {
        for dropPath: Float in [0, 0.3] {
            let c = try tinyConfig(dropPath: dropPath)
            let recompute = ReversibleMViT(c, backprop: .recompute, seed: 3)
            let store = ReversibleMViT(c, backprop: .storeEverything, seed: 3)
            XCTAssertTrue(recompute.segments.contains { if case .run(let b) = $0 { return b.count >= 3 } else { return false } })
            let (images, labels) = syntheticBatch(c, batch: 3, seed: 5)
            XCTAssertEqual(recompute.forwardBackward(images: images, labels: labels),
                           store.forwardBackward(images: images, labels: labels))
            var worst: Float = 0
            for (a, b) in zip(recompute.parameters, store.parameters) {
                if isZeroBySymmetry(a) {
                    XCTAssertLessThan(max(a.grad.values.map(abs).max()!, b.grad.values.map(abs).max()!), 1e-5, a.name)
                    continue
                }
                let d = maxRelativeDifference(a.grad.values, b.grad.values)
                worst = max(worst, d)
                XCTAssertLessThanOrEqual(d, 1e-4, "\(a.name), drop-path \(dropPath)")
            }
            print("rev-mvit vs store-everything, drop-path \(dropPath): worst grad rel diff \(worst)")
        }
    }

    func testCheckpointedGradientsEqualStandard() throws {
        let c = try tinyConfig(dropPath: 0.2)
        let standard = MViT(c, variant: .standard, seed: 4), checkpointed = MViT(c, variant: .checkpointed, seed: 4)
        let (images, labels) = syntheticBatch(c, batch: 2, seed: 6)
        XCTAssertEqual(standard.forwardBackward(images: images, labels: labels),
                       checkpointed.forwardBackward(images: images, labels: labels))
        for (a, b) in zip(standard.parameters, checkpointed.parameters) {
            XCTAssertLessThanOrEqual(maxRelativeDifference(a.grad.values, b.grad.values), 1e-6, a.name)
        }
    }

    func testEveryParameterGetsAGradientAndLossGoesDown() throws {
        for variant in Variant.allCases {
            let model = Presets.makeModel(try Presets.configuration("mvit_tiny_test"), variant: variant, seed: 1)
            let (images, labels) = syntheticBatch(model.config, batch: 4, seed: 2)
            _ = model.forwardBackward(images: images, labels: labels)
            for p in model.parameters where !isZeroBySymmetry(p) {
                XCTAssertTrue(p.grad.values.contains { $0 != 0 }, "\(variant) \(p.name) has an all-zero gradient")
            }
            model.parameters.zeroGradients()
            let optimizer = AdamW(model.parameters, lr: 1e-3, weightDecay: 0)
            var losses: [Float] = []
            for _ in 0..<25 { losses.append(model.trainStep(images: images, labels: labels, optimizer: optimizer)) }
            XCTAssertLessThan(losses.last!, 0.5 * losses.first!, "\(variant): \(losses.first!) -> \(losses.last!)")
        }
    }

    func testReversibleActivationPeakIndependentOfLongStageDepth() throws {
        func peak(depth: Int) throws -> Int {
            let model = Presets.makeModel(try Presets.configuration("mvit_tiny_test") { $0.depth = depth }, variant: .reversible, seed: 1)
            let (images, labels) = syntheticBatch(model.config, batch: 2, seed: 2)
            let before = Ledger.shared.live(.activation)
            Ledger.shared.resetPeaks()
            _ = model.forwardBackward(images: images, labels: labels)
            return Ledger.shared.peak(.activation) - before
        }
        XCTAssertEqual(try peak(depth: 9), try peak(depth: 16))
    }

    /// Recomputing the stage transitions in backward gives the stored transitions' gradients exactly (the same
    /// operations on the same inputs) and keeps less: each transition's input instead of its saved tensors.
    func testRecomputedTransitionsGiveTheStoredGradientsWithLessMemory() throws {
        for dropPath: Float in [0, 0.3] {
            let c = try tinyConfig(dropPath: dropPath)
            let stored = ReversibleMViT(c, transitions: .store, seed: 3)
            let recomputed = ReversibleMViT(c, transitions: .recompute, seed: 3)
            let (images, labels) = syntheticBatch(c, batch: 3, seed: 5)
            func peak(_ model: ReversibleMViT) -> (Float, Int) {
                let before = Ledger.shared.live(.activation)
                Ledger.shared.resetPeaks()
                let loss = model.forwardBackward(images: images, labels: labels)
                return (loss, Ledger.shared.peak(.activation) - before)
            }
            let (storedLoss, storedPeak) = peak(stored)
            let (recomputedLoss, recomputedPeak) = peak(recomputed)
            XCTAssertEqual(storedLoss, recomputedLoss)
            for (a, b) in zip(stored.parameters, recomputed.parameters) {
                XCTAssertEqual(a.grad.values, b.grad.values, "\(a.name), drop-path \(dropPath)")
            }
            XCTAssertLessThan(Double(recomputedPeak), 0.8 * Double(storedPeak), "drop-path \(dropPath)")
        }
    }
}
