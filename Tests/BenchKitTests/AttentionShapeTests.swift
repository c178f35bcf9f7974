// The attention shapes `bench attention` times, from a model's configuration, and the memory they need.
import XCTest
import Engine
import Models
@testable import BenchKit

/// The attention shapes `bench attention` times: one per ViT, every MViT block accounted for once.
final class AttentionShapeTests: XCTestCase {
    func testShapesCoverEveryBlock() throws {
        let vit = AttentionShape.of(try Presets.named("vit_small_patch16_224").config, variant: .standard, batch: 8)
        XCTAssertEqual(vit, [AttentionShape(count: 12, batch: 8, heads: 6, queries: 197, keys: 197, headDim: 64, interleaved: true)])
        XCTAssertEqual(vit[0].flops, 12 * 48 * 197 * 197 * 64)
        let config = try Presets.named("mvit_base_16").config
        let mvit = AttentionShape.of(config, variant: .standard, batch: 2)
        XCTAssertEqual(mvit.reduce(0) { $0 + $1.count }, config.depth)
        // Stage 1 (56 x 56 grid, K and V pooled by 4 to 14 x 14, one head of 96, class token): its one block.
        XCTAssertEqual(mvit[0], AttentionShape(count: 1, batch: 2, heads: 1, queries: 1 + 56 * 56, keys: 1 + 14 * 14, headDim: 96,
                                               interleaved: false))
    }

    /// `bench attention` refuses a batch whose operands cannot fit by this prediction: the ledger's peak while the
    /// two cores run, give or take the cores' small per-lane buffers.
    func testPredictedBytesAreTheLedgersPeak() throws {
        for (model, batch) in [("vit_tiny_test", 3), ("mvit_tiny_test", 2)] {
            let shapes = AttentionShape.of(try Presets.named(model).config, variant: .standard, batch: batch)
            let ledger = Ledger.shared
            ledger.resetPeaks()
            let before = ledger.liveTotal
            do {
                let operands = shapes.enumerated().map { AttentionBenchmark.Operands($0.element, seed: UInt64($0.offset + 1)) }
                for o in operands { o.run(.math); o.run(.fused) }
            }
            let measured = Double(ledger.peakTotal - before)
            let predicted = AttentionBenchmark.predictedBytes(shapes, threads: Parallel.workers)
            XCTAssertEqual(predicted / measured, 1, accuracy: 0.05, "\(model): predicted \(predicted), ledger peak \(measured)")
        }
    }
}
