// bench stability: its rows have the schema's columns and small errors at init, its gradient error is exactly the
// direct comparison of the two backprop modes, and a deliberately broken reconstruction makes the error columns jump.
import XCTest
import Foundation
import Engine
import Models
@testable import BenchKit

final class StabilityTests: XCTestCase {
    func rows(_ model: String, depths: [Int], steps: Int = 2, every: Int = 1, image: Int? = nil) throws -> [StabilityRecord] {
        var out: [StabilityRecord] = []
        let request = StabilityRequest(configurations: try depths.map { d in
                                           try Presets.configuration(model) { c in c.depth = d; if let image { c.imageSize = image } } },
                                       steps: steps, measureEvery: every, batch: 2, learningRate: 1e-3, threads: 1, seed: 4)
        try Stability.run(request, emit: { out.append($0) }, log: { _ in })
        return out
    }

    func testTinyPresetsWriteEveryColumnWithSmallErrorsAtInit() throws {
        let path = NSTemporaryDirectory() + "revbench-stability-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try ResultsFile(path: path, of: StabilityRecord.self, required: StabilityRecord.requiredColumns)
        for (model, blocks) in [("vit_tiny_test", 4), ("mvit_tiny_test", 4)] {
            let measured = try rows(model, depths: [model == "vit_tiny_test" ? 4 : 7])
            XCTAssertEqual(measured.map(\.step), [0, 1, 2])
            for r in measured { try file.append(r) }
            let first = try XCTUnwrap(measured.first)
            XCTAssertLessThan(try XCTUnwrap(first.gradRelativeError), 1e-5, model)
            XCTAssertLessThan(try XCTUnwrap(first.reconstructionMaxRelative), 1e-5, model)
            XCTAssertEqual(StabilityRecord.values(first.blockReconstructionRMSRelative).count, blocks, "reversible blocks of \(model)")
            XCTAssertGreaterThan(try XCTUnwrap(first.largestActivation), 0)
            XCTAssertEqual(first.lossRecompute, first.lossStore, "the same weights, batch and masks give the same loss")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").first.map(String.init), StabilityRecord.columns.joined(separator: ","))
        XCTAssertEqual(try ResultsFile.read(StabilityRecord.self, path, required: StabilityRecord.requiredColumns).count, 6)
        XCTAssertEqual(Stability.charts(try ResultsFile.read(StabilityRecord.self, path, required: [])).count, 4)
    }

    /// The tool's gradient error is the comparison a user would make by hand: two models of the same weights, one
    /// trained with the recompute backward and one with store-everything backprop.
    func testGradientErrorEqualsTheDirectComparison() throws {
        var c = try Presets.named("vit_tiny_test").config
        c.depth = 6
        c.dropPath = 0.2
        let tool = ReversibleViT(c, seed: 9)
        let (images, labels) = syntheticBatch(c, seed: 2)
        let row = Stability.measure(tool, name: "vit_tiny_test", images: images, labels: labels, step: 0)

        let recompute = ReversibleViT(c, backprop: .recompute, seed: 9)
        let store = ReversibleViT(c, backprop: .storeEverything, seed: 9)
        _ = recompute.forwardBackward(images: images, labels: labels)
        _ = store.forwardBackward(images: images, labels: labels)
        var diff = 0.0, norm = 0.0
        for (a, b) in zip(recompute.parameters, store.parameters) {
            for (x, y) in zip(a.grad.values, b.grad.values) { diff += Double(x - y) * Double(x - y); norm += Double(y) * Double(y) }
        }
        XCTAssertEqual(try XCTUnwrap(row.gradRelativeError), (diff / norm).squareRoot(), accuracy: 1e-15)
        XCTAssertGreaterThan(try XCTUnwrap(row.gradRelativeError), 0, "fp32 reconstruction is not bit-exact")
    }

    /// Weights scaled so that G's output dwarfs the streams: X2 = Y2 - G(Y1) cancels catastrophically in fp32.
    func testABrokenReconstructionMakesTheErrorColumnsJump() throws {
        let c = try Presets.named("vit_tiny_test").config
        let (images, labels) = syntheticBatch(c, seed: 2)
        let healthy = Stability.measure(ReversibleViT(c, seed: 1), name: "vit_tiny_test", images: images, labels: labels, step: 0)
        let broken = ReversibleViT(c, seed: 1)
        for block in broken.blocks {
            let w = block.g.mlp.fc2.weight.value
            for i in 0..<w.count { w.data[i] *= 1e6 }
        }
        let row = Stability.measure(broken, name: "vit_tiny_test", images: images, labels: labels, step: 0)
        XCTAssertGreaterThan(try XCTUnwrap(row.reconstructionMaxRelative), 1000 * (healthy.reconstructionMaxRelative ?? 1))
        XCTAssertGreaterThan(try XCTUnwrap(row.gradRelativeError), 1000 * (healthy.gradRelativeError ?? 1))
    }

    func syntheticBatch(_ c: ModelConfiguration, seed: UInt64) -> (Tensor, [Int]) {
        var rng = SeededRNG(seed: seed)
        let images = Tensor([3, c.channels, c.imageSize, c.imageSize], zeroed: false)
        rng.fillNormal(images, std: 1, truncated: false)
        return (images, (0..<3).map { _ in rng.int(below: c.classes) })
    }

    /// bench reproduce reruns the stability commands and appends (they take no --resume): the charts are drawn from
    /// each depth's newest run, not from two runs zig-zagging through one series.
    func testChartsDrawTheNewestRunOfEachDepth() {
        func run(_ error: Double, depths: [Int]) -> [StabilityRecord] {
            depths.flatMap { d in [0, 50].map { step in
                var r = StabilityRecord(model: "vit_small_patch16_224", depth: d, step: step)
                r.learningRate = 1e-4; r.gradRelativeError = error * Double(step + 1); r.error = ""
                r.blockReconstructionMaxRelative = "\(error);\(error)"
                return r
            } }
        }
        let old = run(1e-3, depths: [12, 24]), new = run(1e-6, depths: [12])
        XCTAssertEqual(Stability.newestRuns(old + new), Array(old.suffix(2)) + new, "depth 24 ran once, depth 12's newest run")
        XCTAssertEqual(Stability.charts(old.prefix(2) + new).map(\.1), Stability.charts(new).map(\.1))
    }
}
