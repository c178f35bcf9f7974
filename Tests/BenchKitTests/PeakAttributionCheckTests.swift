// bench check's scope-by-scope explanation: the stored peak attribution of the CI preset is what a fresh profile
// gives, the diff names exactly the scopes that moved, and a layer made to keep one extra tensor is named in the
// failure message of a real `bench check`.
import XCTest
import Foundation
import Engine
import Models
@testable import BenchKit

final class PeakAttributionCheckTests: XCTestCase {
    var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    var storedPath: String { root.appendingPathComponent("results/baseline/ci-peak.csv").path }

    /// The peak attribution is named after its baseline, so two baselines in one folder keep one each (both wrote
    /// ci-peak.csv before); the committed baseline's name is unchanged.
    func testThePeakFileIsNamedAfterItsBaseline() {
        XCTAssertEqual(PeakAttributionCheck.peakPath(forBaseline: "results/baseline/ci.csv"), "results/baseline/ci-peak.csv")
        XCTAssertEqual(PeakAttributionCheck.peakPath(forBaseline: "b/nightly.csv"), "b/nightly-peak.csv")
        XCTAssertEqual(PeakAttributionCheck.peakPath(forBaseline: "ci.csv"), "ci-peak.csv")
    }

    func row(_ scope: String, _ bytes: Int, variant: String = "standard") -> PeakRow {
        PeakRow(model: "vit_tiny_test", depth: 4, batch: 2, variant: variant, region: "block", block: 1, layer: "mlp.fc1",
                role: "output", scope: scope, category: "activation", bytes: bytes)
    }

    func testChangesNameExactlyTheScopesThatMoved() {
        let baseline = [row("a", 10), row("b", 20), row("c", 30), row("c", 5, variant: "reversible")]
        let current = [row("a", 10), row("b", 25), row("d", 7)]
        let changes = PeakAttributionCheck.changes(baseline: baseline, current: current)
        XCTAssertEqual(changes.map(\.scope), ["c", "d", "b"], "largest change first; reversible was not profiled again")
        XCTAssertEqual(changes.map { $0.current - $0.baseline }, [-30, 7, 5])
        XCTAssertEqual(PeakAttributionCheck.changes(baseline: baseline, current: Array(baseline.prefix(3))), [])
        XCTAssertFalse(changes.contains { $0.movedWithThePeak })
        // The same layer and role at another block: the peak moved, no layer holds more.
        var elsewhere = row("block 2 · mlp.fc1 · output", 10)
        elsewhere.block = 2
        let moved = PeakAttributionCheck.changes(baseline: [row("block 1 · mlp.fc1 · output", 10)], current: [elsewhere])
        XCTAssertEqual(moved.count, 2)
        XCTAssertTrue(moved.allSatisfy(\.movedWithThePeak))
        XCTAssertTrue(PeakAttributionCheck.render(moved).contains("the peak moved to another block"))
    }

    func testStoredAttributionIsWhatAFreshProfileGives() throws {
        let stored = try ProfileExperiment.readPeak(storedPath)
        XCTAssertEqual(Set(stored.map(PeakAttributionCheck.key)).count, 12, "2 depths x 2 batches x 3 variants")
        let request = try CIPreset.requests()[0]
        var one = request
        one.steps = 1
        let fresh = ProfileAnalysis(try ProfileRunner.run(one, executable: benchExecutablePath, quiet: true)).peak
        XCTAssertEqual(stored.filter { PeakAttributionCheck.key($0) == PeakAttributionCheck.key(request) }, fresh)
    }

    /// The real thing: bench check with one Linear layer of the CI models made to keep an extra copy of its input.
    func testCheckNamesTheLayerThatKeepsAnExtraTensor() throws {
        let p = try BenchProcess.run(["check", "--baseline", root.appendingPathComponent("results/baseline/ci.csv").path, "--quiet"],
                                     environment: [TestingMutation.extraSavedInputVariable: "blocks.1.mlp.fc1"])
        XCTAssertEqual(p.status, 1, p.out + p.err)
        XCTAssertTrue(p.out.contains("bench check: FAILED"), p.out)
        let table = try XCTUnwrap(p.out.components(separatedBy: "scope by scope").last, p.out)
        let changed = table.split(separator: "\n").filter { $0.hasPrefix("vit_tiny_test") }
        // Standard and reversible hold the copy at their peak (checkpointed drops the forward's saved tensors, so its
        // peak does not change and it is not profiled again).
        XCTAssertEqual(changed.count, 8, "the standard and reversible configurations: \(table)")
        XCTAssertTrue(changed.allSatisfy { $0.contains("block 1 · mlp.fc1 · forward, unnamed") }, table)
    }
}
