// bench profile's guarantees, on the tiny presets (ledger bytes are deterministic, so they are asserted exactly):
// the peak attribution sums to the ledger's peak and the timeline's maximum equals it; every byte has a scope;
// recording changes no ledger figure; a layer that keeps one extra tensor shows up under that layer's scope only;
// the reversible timeline is flat in depth while the standard one grows.
import XCTest
import Foundation
import Engine
import Models
@testable import BenchKit

final class ProfileTests: XCTestCase {
    /// One thread: LayerNorm's partial sums and the attention lanes are then the same on any machine.
    func request(_ model: String, _ variant: Variant, depth: Int? = nil, batch: Int = 2) throws -> RunRequest {
        let config = try Presets.configuration(model) { if let depth { $0.depth = depth } }
        return RunRequest(config, variant: variant, batch: batch, steps: 1, warmup: 1, threads: 1, seed: 0)
    }

    func testAttributionSumsToTheLedgerPeakAndTheTimelineMaximumEqualsIt() throws {
        for model in ["vit_tiny_test", "mvit_tiny_test"] {
            for variant in Variant.allCases {
                let profile = StepProfiler.run(try request(model, variant))
                let a = ProfileAnalysis(profile)
                let context = "\(model) \(variant)"
                XCTAssertEqual(profile.before.reduce(0) { $0 + $1.bytes }, profile.ledgerBefore, "\(context): start level")
                XCTAssertEqual(a.peak.reduce(0) { $0 + $1.bytes }, profile.ledgerPeak, "\(context): attribution sum")
                XCTAssertEqual(a.timeline.map(\.liveBytes).max(), profile.ledgerPeak, "\(context): timeline maximum")
                XCTAssertEqual(a.peakBytes, profile.ledgerPeak, context)
                XCTAssertGreaterThan(a.peakBytes, a.baselineBytes, "\(context): the step allocates")
                XCTAssertEqual(a.timeline.last?.liveBytes, profile.ledgerBefore, "\(context): a step leaves nothing behind")
                // Every phase shows, the optimizer's (which allocates nothing) by its zero-byte mark; the step's end
                // (back to idle) is the last event.
                XCTAssertEqual(Set(a.timeline.map(\.phase)), ["forward", "loss", "backward", "optimizer", "idle"], context)
                XCTAssertEqual(a.phaseStarts.map(\.phase), [.loss, .backward, .optimizer, .idle], context)
                XCTAssertEqual(a.timeline.last?.phase, "idle", context)
                XCTAssertEqual(a.timeline.last?.progress, 1, context)
                let marks = a.timeline.filter { $0.scope == Scopes.name(Scopes.phaseBegins).description }
                XCTAssertEqual(marks.map(\.phase), ["forward", "loss", "backward", "optimizer", "idle"], context)
                XCTAssertTrue(marks.allSatisfy { $0.deltaBytes == 0 }, "\(context): phase marks hold no bytes")
                // Every event of the step names its scope.
                XCTAssertFalse(profile.scopeIDs.contains(ScopeID.unknown.raw), "\(context): an allocation without a scope")
            }
        }
    }

    func testRecordingChangesNoLedgerFigure() throws {
        let (model, optimizer, images, labels) = TrainingSetup(try request("vit_tiny_test", .standard)).parts
        func step(recording: Bool) -> [Int] {
            let ledger = Ledger.shared
            let before = ledger.snapshot()
            ledger.resetPeaks()
            if recording { ledger.startRecording() }
            model.trainStep(images: images, labels: labels, optimizer: optimizer)
            if recording { XCTAssertFalse(ledger.stopRecording().isEmpty) }
            XCTAssertTrue(ledger.events.isEmpty, "events are handed over, not kept")
            let after = ledger.snapshot()
            return [after.peakTotal - before.liveTotal, after.liveTotal - before.liveTotal, ledger.peakAllocated]
                + MemoryCategory.allCases.map { after.peak($0) - before.live($0) }
        }
        _ = step(recording: false)  // warm-up: the optimizer's first step
        let off = step(recording: false), on = step(recording: true), offAgain = step(recording: false)
        XCTAssertEqual(off, on)
        XCTAssertEqual(off, offAgain)
        XCTAssertFalse(Ledger.shared.recording)
    }

    func testReversibleTimelineIsFlatInDepthAndStandardGrows() throws {
        func aboveStart(_ variant: Variant, depth: Int) throws -> Int {
            let a = ProfileAnalysis(StepProfiler.run(try request("vit_tiny_test", variant, depth: depth)))
            return a.timeline.map(\.aboveBaselineBytes).max()!
        }
        let rev4 = try aboveStart(.reversible, depth: 4), rev16 = try aboveStart(.reversible, depth: 16)
        XCTAssertLessThanOrEqual(rev16, rev4, "reversible: the step's maximum above its start must not grow with depth")
        let std4 = try aboveStart(.standard, depth: 4), std16 = try aboveStart(.standard, depth: 16)
        XCTAssertGreaterThan(std16, 3 * std4 / 2, "standard grows with depth")
    }

    /// Rev-MViT's stage transitions keep their saved tensors (the paper's code): at the reversible peak they hold
    /// most of the activations, and the report groups them as transitions, not as blocks.
    func testRevMViTStageTransitionsShowUpAsWhatTheyAre() throws {
        let a = ProfileAnalysis(StepProfiler.run(try request("mvit_tiny_test", .reversible)))
        let activations = a.peak.filter { $0.category == "activation" }
        let transitions = ProfileReport.transitions(a)
        XCTAssertEqual(transitions, Set(MViTPlan(a.profile.configuration).blocks.filter(\.isTransition).map(\.index)))
        XCTAssertFalse(transitions.isEmpty)
        let held = activations.filter { ProfileReport.group($0, transitions: transitions) == "stage transitions" }
        XCTAssertGreaterThan(held.reduce(0) { $0 + $1.bytes } * 2, activations.reduce(0) { $0 + $1.bytes })
        XCTAssertTrue(ProfileReport.groupTable([a]).contains("stage transitions"))
        XCTAssertEqual(ProfileReport.transitions(ProfileAnalysis(StepProfiler.run(try request("mvit_tiny_test", .standard)))), [])
    }

    /// Runs `bench profile` on a tiny preset into a fresh folder; returns its output, peak rows and timeline rows.
    func profileCLI(_ extra: [String] = [], model: String = "vit_tiny_test", environment: [String: String] = [:])
        throws -> (BenchProcess, [PeakRow], [TimelineRow]) {
        let folder = NSTemporaryDirectory() + "revbench-profile-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let p = try BenchProcess.run(["profile", "--model", model, "--batch", "2", "--threads", "1",
                                      "--output", folder, "--quiet"] + extra, environment: environment)
        guard p.status == 0 else { XCTFail("bench profile failed: \(p.err)"); return (p, [], []) }
        let peak = try ResultsFile.read(PeakRow.self, folder + "/peak.csv", required: PeakRow.columns)
        let timeline = try ResultsFile.read(TimelineRow.self, folder + "/timeline.csv", required: TimelineRow.columns)
        for file in ["timeline.svg", "peak.svg", "summary.txt", "end_of_forward.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + file), file)
        }
        return (p, peak, timeline)
    }

    func testEveryByteHasAScopeInAFreshChild() throws {
        for model in ["vit_tiny_test", "mvit_tiny_test"] { try checkEveryByteHasAScope(model) }
    }

    func checkEveryByteHasAScope(_ model: String) throws {
        let (p, peak, timeline) = try profileCLI(model: model)
        XCTAssertFalse(peak.isEmpty)
        XCTAssertFalse(peak.contains { $0.region == ScopeRegion.unknown.rawValue }, "bytes in the unknown scope: \(peak.filter { $0.region == "unknown" })")
        XCTAssertFalse(timeline.contains { $0.scope.hasPrefix("unknown") })
        for variant in Variant.allCases.map(\.rawValue) {
            let sum = peak.filter { $0.variant == variant }.reduce(0) { $0 + $1.bytes }
            XCTAssertEqual(timeline.filter { $0.variant == variant }.map(\.liveBytes).max(), sum, variant)
        }
        XCTAssertEqual(p.out.split(separator: "\n").filter { $0.contains(": peak ") }.count, 3, p.out)
    }

    func testALayerKeepingOneExtraTensorShowsUpUnderThatLayerOnly() throws {
        let (_, clean, _) = try profileCLI(["--variants", "standard"])
        let (_, mutated, _) = try profileCLI(["--variants", "standard"],
                                             environment: [TestingMutation.extraSavedInputVariable: "blocks.1.mlp.fc1"])
        func bytes(_ rows: [PeakRow]) -> [String: Int] {
            Dictionary(rows.map { ($0.scope + " " + $0.category, $0.bytes) }, uniquingKeysWith: +)
        }
        let a = bytes(clean), b = bytes(mutated)
        let changed = Set(a.keys).union(b.keys).filter { a[$0, default: 0] != b[$0, default: 0] }
        XCTAssertEqual(changed, ["block 1 · mlp.fc1 · forward, unnamed activation"])
        // The extra tensor is fc1's input: (B, N, C) floats.
        let c = try Presets.configuration("vit_tiny_test")
        XCTAssertEqual(b.values.reduce(0, +) - a.values.reduce(0, +), 4 * 2 * c.tokens(.standard) * c.width)
    }
}
