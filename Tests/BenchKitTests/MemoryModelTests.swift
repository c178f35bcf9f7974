// The memory model against the ledger: predicted step bytes within 1% of measured, every variant, several shapes.
import XCTest
import Engine
import Models
@testable import BenchKit

final class MemoryModelTests: XCTestCase {
    func testPredictionMatchesLedgerWithinOnePercent() throws {
        // Both cores' workspaces are per lane: two threads (two lanes) for one shape of each.
        for (width, heads, depth, image, attention, threads) in [
            (32, 2, 4, 32, AttentionKind.math, 1), (64, 4, 6, 64, .math, 2), (96, 3, 3, 48, .math, 1),
            (32, 2, 4, 32, .fused, 1), (64, 4, 6, 64, .fused, 2), (96, 3, 3, 96, .fused, 1)] {
            for batch in [1, 3] {
                for variant in Variant.allCases {
                    let r = RunRequest(try Presets.configuration("vit_tiny_test") { c in
                                           c.depth = depth; c.width = width; c.heads = heads; c.imageSize = image
                                           c.attention = attention
                                       },
                                       variant: variant, batch: batch, steps: 1, warmup: 0, threads: threads)
                    let row = try StepRunner.measure(r)
                    let measured = Double(row.stepLedgerBytes!)
                    let predicted = Double(row.predictedPeakBytes! - row.baselineBytes!)
                    XCTAssertEqual(predicted / measured, 1, accuracy: 0.01,
                                   "\(variant) \(attention) w\(width) h\(heads) d\(depth) img\(image) b\(batch): predicted \(predicted), measured \(measured)")
                    XCTAssertEqual(Double(row.predictedPeakBytes!) / Double(row.peakLedgerBytes!), 1, accuracy: 0.01)
                }
            }
        }
    }

    /// MViT-B's plan, Rev-MViT's segments, both ways of backpropagating its stage transitions and both attention
    /// cores (each on two lanes for one shape).
    func testMViTPredictionMatchesLedgerWithinOnePercent() throws {
        for (width, heads, depth, image, attention, threads) in [(16, 1, 7, 64, AttentionKind.math, 1), (32, 2, 9, 64, .math, 2),
                                                                 (16, 1, 7, 64, .fused, 2), (32, 2, 9, 64, .fused, 1)] {
            for batch in [1, 3] {
                for (variant, transitions) in [(Variant.standard, TransitionBackprop.store), (.checkpointed, .store),
                                               (.reversible, .store), (.reversible, .recompute)] {
                    let r = RunRequest(try Presets.configuration("mvit_tiny_test") { c in
                                           c.depth = depth; c.width = width; c.heads = heads; c.imageSize = image
                                           c.transitions = transitions; c.attention = attention
                                       },
                                       variant: variant, batch: batch, steps: 1, warmup: 0, threads: threads)
                    let row = try StepRunner.measure(r)
                    let measured = Double(row.stepLedgerBytes!)
                    let predicted = Double(row.predictedPeakBytes! - row.baselineBytes!)
                    XCTAssertEqual(predicted / measured, 1, accuracy: 0.01,
                                   "\(variant) \(transitions) \(attention) w\(width) d\(depth) b\(batch): predicted \(predicted), measured \(measured)")
                }
            }
        }
    }

    func testViTLargePredictionIsInThePapersRange() throws {
        // Standard ViT-L at 224: the paper's 349.3 MB per image; the model (and this engine) keep about 376 MB.
        let c = try Presets.named("vit_large_patch16_224").config
        let p = MemoryModel.predict(c, variant: .standard, batch: 2, parameterCount: 304_326_632, workers: 2)
        let perImage = Double(p.stepBytes) / 2 / 1e6
        XCTAssertGreaterThan(perImage, 349.3 * 0.9)
        XCTAssertLessThan(perImage, 349.3 * 1.2)
    }
}
