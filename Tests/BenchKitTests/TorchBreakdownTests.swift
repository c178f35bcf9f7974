// Like with like: the bytes each block of the standard tiny ViT holds for backward (at the end of forward and at the
// peak) equal what the PyTorch twin saves for that block and module, within 1% (from committed fixtures made by
// scripts/make_breakdown_fixtures.py; no Python here).
import XCTest
import Foundation
import Engine
import Models
import TestSupport
@testable import BenchKit

final class TorchBreakdownTests: XCTestCase {
    func fixture(_ name: String) throws -> TorchBreakdown {
        try TorchBreakdown.read(Fixture.directory.appendingPathComponent("breakdown/\(name).json").path)
    }

    /// The standard variant's analysis of one profiled step of `model` (one thread, batch 2, as the fixtures).
    func analysis(_ model: String, attention: AttentionKind) throws -> ProfileAnalysis {
        let config = try Presets.configuration(model) { $0.attention = attention }
        let r = RunRequest(config, variant: .standard, batch: 2, steps: 1, warmup: 1, threads: 1, seed: 0)
        return ProfileAnalysis(StepProfiler.run(r))
    }

    func testViTBlocksAndModulesHoldWhatPyTorchSavesWithinOnePercent() throws {
        for attention in AttentionKind.allCases {
            let torch = try fixture("vit_tiny_test_\(attention.rawValue)")
            let a = try analysis("vit_tiny_test", attention: attention)
            let c = TorchComparison(endOfForward: a.endOfForward, family: .vit, depth: a.profile.configuration.depth, torch: torch)
            let blocks = c.byBlock.filter { $0.label.hasPrefix("block") }
            XCTAssertEqual(blocks.count, 4, "\(attention): one row per block: \(c.byBlock)")
            for r in blocks + c.byModule.filter({ $0.label.hasPrefix("block") }) {
                XCTAssertGreaterThan(r.torch, 0, "\(attention) \(r.label): PyTorch saves something")
                XCTAssertLessThanOrEqual(abs(r.relativeDifference), 0.01, "\(attention) \(r.label): engine \(r.engine), PyTorch \(r.torch)")
            }
            XCTAssertEqual(c.byModule.filter { $0.label.hasPrefix("block 0") }.count, 4, "norm1, attn, norm2, mlp")
        }
    }

    /// At the standard model's peak (in the last block's backward) every other block still holds exactly what it
    /// held when forward ended: the figures compared with PyTorch are the peak's.
    func testBlocksBeforeTheLastHoldAtThePeakWhatTheyHeldAtTheEndOfForward() throws {
        for model in ["vit_tiny_test", "mvit_tiny_test"] {
            let a = try analysis(model, attention: .math)
            let depth = a.profile.configuration.depth
            func perBlock(_ rows: [PeakRow]) -> [Int: Int] {
                var out: [Int: Int] = [:]
                for r in rows where r.category == "activation" { if let b = r.block, b < depth - 1 { out[b, default: 0] += r.bytes } }
                return out
            }
            XCTAssertEqual(a.peakPhase, .backward, model)
            XCTAssertEqual(perBlock(a.peak), perBlock(a.endOfForward), model)
            XCTAssertEqual(perBlock(a.peak).count, depth - 1, model)
        }
    }

    func testMViTFirstBlockHoldsWhatPyTorchSaves() throws {
        let a = try analysis("mvit_tiny_test", attention: .math)
        let c = TorchComparison(endOfForward: a.endOfForward, family: .mvit, depth: a.profile.configuration.depth,
                                torch: try fixture("mvit_tiny_test_math"))
        let first = try XCTUnwrap(c.byBlock.first { $0.label == "block 0" })
        XCTAssertLessThanOrEqual(abs(first.relativeDifference), 0.01, "engine \(first.engine), PyTorch \(first.torch)")
    }
}
