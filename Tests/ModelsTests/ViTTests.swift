// ViT and Rev-ViT twins: exact sizes, PyTorch fixtures, reversible gradients equal to store-everything ones,
// checkpointed equal to standard, training drives the loss down.
import XCTest
import Engine
import Models
import TestSupport

/// A fixed batch of synthetic images (B, 3, S, S) and labels for `config`.
func syntheticBatch(_ config: ModelConfiguration, batch: Int, seed: UInt64) -> (Tensor, [Int]) {
    var rng = SeededRNG(seed: seed)
    let images = Tensor([batch, config.channels, config.imageSize, config.imageSize])
    rng.fillNormal(images, std: 1, truncated: false)
    return (images, (0..<batch).map { _ in rng.int(below: config.classes) })
}

final class ViTTests: XCTestCase {
    func testExactParameterCountsOfPresets() throws {
        let expected = ["vit_small_patch16_224": 22_050_664, "vit_base_patch16_224": 86_567_656,
                        "vit_large_patch16_224": 304_326_632, "rev_vit_small_patch16_224": 22_434_664,
                        "rev_vit_base_patch16_224": 87_335_656, "rev_vit_large_patch16_224": 305_350_632]
        for (name, count) in expected {
            let preset = try Presets.named(name)
            let model = Presets.makeModel(preset.config, variant: preset.architecture, initialize: false)
            XCTAssertEqual(model.parameterCount, count, name)
        }
    }

    func testMACsOfReversiblePresetsMatchThePaper() throws {
        let small = try Presets.named("rev_vit_small_patch16_224").config.macsPerImage(.reversible)
        let base = try Presets.named("rev_vit_base_patch16_224").config.macsPerImage(.reversible)
        XCTAssertEqual(Double(small) / 4.58e9, 1, accuracy: 0.005)
        XCTAssertEqual(Double(base) / 17.49e9, 1, accuracy: 0.005)
    }

    func testBadConfigurationsAreRejectedWithTheValues() throws {
        func message(_ change: (inout ModelConfiguration) -> Void) -> String {
            do { _ = try Presets.configuration("vit_tiny_test", change); return "" }
            catch { return "\(error)" }
        }
        XCTAssertEqual(message { $0.width = 30; $0.heads = 4 }, "width 30 is not divisible by heads 4")
        XCTAssertEqual(message { $0.imageSize = 30; $0.patchSize = 8 }, "image size 30 is not divisible by patch size 8")
        XCTAssertEqual(message { $0.depth = 0 }, "depth must be a positive integer, got 0")
        XCTAssertEqual(message { $0.heads = -2 }, "heads must be a positive integer, got -2")
        XCTAssertTrue(message { _ in }.isEmpty)
        XCTAssertThrowsError(try Presets.named("vit_huge")) { e in
            XCTAssertTrue("\(e)".contains("unknown model 'vit_huge'") && "\(e)".contains("vit_small_patch16_224"))
        }
    }

    /// Loads a tiny model's weights from a PyTorch fixture and compares logits, loss and every gradient.
    func compareWithFixture(_ name: String, makeModel: (ModelConfiguration) -> VisionModel) throws {
        let fx = try Fixture(name)
        let config = ModelConfiguration(imageSize: fx.int("image_size"), patchSize: fx.int("patch_size"), width: fx.int("width"),
                               depth: fx.int("depth"), heads: fx.int("heads"), classes: fx.int("classes"))
        let model = makeModel(config)
        try fx.load(into: model.parameters)
        model.parameters.zeroGradients()
        let images = try fx.tensor("images")
        let labels = try fx.values("labels").map { Int($0) }
        XCTAssertLessThan(maxRelativeDifference(model.logits(images: images).values, try fx.values("logits")), goldenTolerance)
        let loss = model.forwardBackward(images: images, labels: labels)
        XCTAssertEqual(loss, try fx.values("loss")[0], accuracy: 1e-5)
        for p in model.parameters {
            XCTAssertLessThan(maxRelativeDifference(p.grad.values, try fx.values("grad." + p.name)), goldenTolerance,
                              "\(name) grad \(p.name) (torch \(fx.torchVersion))")
        }
        XCTAssertEqual(fx.names.filter { $0.hasPrefix("param.") }.count, model.parameters.count)
    }

    func testStandardViTMatchesPyTorch() throws {
        try compareWithFixture("vit_tiny") { StandardViT($0) }
    }

    func testCheckpointedViTMatchesPyTorch() throws {
        try compareWithFixture("vit_tiny") { StandardViT($0, variant: .checkpointed) }
    }

    func testReversibleViTMatchesPyTorch() throws {
        try compareWithFixture("rev_vit_tiny") { ReversibleViT($0) }
    }

    /// Reversible recompute vs store-everything backprop of the same weights, every parameter.
    func assertRecomputeEqualsStoreEverything(dropPath: Float, file: StaticString = #filePath, line: UInt = #line) {
        var config = try! Presets.named("vit_tiny_test").config
        config.depth = 8
        config.dropPath = dropPath
        let recompute = ReversibleViT(config, backprop: .recompute, seed: 3)
        let store = ReversibleViT(config, backprop: .storeEverything, seed: 3)
        recompute.recordsReconstructionError = true
        let (images, labels) = syntheticBatch(config, batch: 4, seed: 5)
        let l1 = recompute.forwardBackward(images: images, labels: labels)
        let l2 = store.forwardBackward(images: images, labels: labels)
        XCTAssertEqual(l1, l2, file: file, line: line)
        var worst: Float = 0
        for (a, b) in zip(recompute.parameters, store.parameters) {
            let d = maxRelativeDifference(a.grad.values, b.grad.values)
            worst = max(worst, d)
            XCTAssertLessThanOrEqual(d, 1e-4, a.name, file: file, line: line)
        }
        XCTAssertEqual(recompute.reconstructionErrors.count, 8, file: file, line: line)
        for e in recompute.reconstructionErrors {
            XCTAssertLessThan(e.maxRelative, 1e-5, file: file, line: line)
            XCTAssertGreaterThan(e.largestActivation, 0, file: file, line: line)
        }
        print("rev vs store-everything, drop-path \(dropPath): worst grad rel diff \(worst), reconstruction max relative error "
              + "per block \(recompute.reconstructionErrors.map { Float($0.maxRelative) })")
    }

    func testReversibleRecomputeGradientsEqualStoreEverything() {
        assertRecomputeEqualsStoreEverything(dropPath: 0)
    }

    func testReversibleRecomputeGradientsEqualStoreEverythingWithDropPath() {
        assertRecomputeEqualsStoreEverything(dropPath: 0.3)
    }

    func testCheckpointedGradientsEqualStandard() {
        for dropPath: Float in [0, 0.3] {
            var config = try! Presets.named("vit_tiny_test").config
            config.dropPath = dropPath
            let standard = StandardViT(config, variant: .standard, seed: 4)
            let checkpointed = StandardViT(config, variant: .checkpointed, seed: 4)
            let (images, labels) = syntheticBatch(config, batch: 3, seed: 6)
            XCTAssertEqual(standard.forwardBackward(images: images, labels: labels),
                           checkpointed.forwardBackward(images: images, labels: labels))
            for (a, b) in zip(standard.parameters, checkpointed.parameters) {
                XCTAssertLessThanOrEqual(maxRelativeDifference(a.grad.values, b.grad.values), 1e-6, a.name)
            }
        }
    }

    func testDropPathChangesTheLossSoItIsReallyApplied() {
        var config = try! Presets.named("vit_tiny_test").config
        let (images, labels) = syntheticBatch(config, batch: 4, seed: 6)
        let plain = StandardViT(config, seed: 4).forwardBackward(images: images, labels: labels)
        config.dropPath = 0.5
        let dropped = StandardViT(config, seed: 4).forwardBackward(images: images, labels: labels)
        XCTAssertNotEqual(plain, dropped)
    }

    func testEveryParameterGetsAGradientAndTrainingOverfits() throws {
        for variant in Variant.allCases {
            let model = Presets.makeModel(try Presets.configuration("vit_tiny_test"), variant: variant, seed: 1)
            let (images, labels) = syntheticBatch(model.config, batch: 4, seed: 2)
            _ = model.forwardBackward(images: images, labels: labels)
            for p in model.parameters {
                XCTAssertTrue(p.grad.values.contains { $0 != 0 }, "\(variant) \(p.name) has an all-zero gradient")
            }
            model.parameters.zeroGradients()
            let optimizer = AdamW(model.parameters, lr: 1e-3, weightDecay: 0)
            var losses: [Float] = []
            for _ in 0..<30 { losses.append(model.trainStep(images: images, labels: labels, optimizer: optimizer)) }
            XCTAssertLessThan(losses.last!, 0.5 * losses.first!, "\(variant): \(losses.first!) -> \(losses.last!)")
        }
    }

    func testSGDReducesTheLoss() throws {
        let model = Presets.makeModel(try Presets.configuration("vit_tiny_test"), variant: .reversible, seed: 1)
        let (images, labels) = syntheticBatch(model.config, batch: 4, seed: 2)
        let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9)
        let first = model.trainStep(images: images, labels: labels, optimizer: optimizer)
        var last = first
        for _ in 0..<30 { last = model.trainStep(images: images, labels: labels, optimizer: optimizer) }
        XCTAssertLessThan(last, 0.7 * first)
    }
}
