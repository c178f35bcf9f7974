// The configuration columns: every model setting is recorded by name or declared unrecorded, a request's record
// carries its configuration's settings, and a configuration's description and order come from the column list.
import XCTest
@testable import BenchKit
import Models

final class RunConfigurationTests: XCTestCase {
    func testEveryModelSettingIsRecordedByNameOrDeclaredUnrecorded() throws {
        var names = Set<String>()
        for setting in try CSV.encodeCells(try Presets.configuration("mvit_tiny_test")).keys {
            let name = RunRecord.columnName(setting)
            names.insert(name)
            XCTAssertNotEqual(Column(rawValue: name) != nil, RunRecord.unrecordedSettings.contains(name),
                              "ModelConfiguration.\(setting): a column '\(name)' or an entry in unrecordedSettings, not both")
        }
        XCTAssertTrue(RunRecord.unrecordedSettings.isSubset(of: names), "unrecordedSettings names only settings")
    }

    func testARequestsRecordCarriesItsConfiguration() throws {
        let mvit = try Presets.configuration("mvit_tiny_test") { $0.depth = 8; $0.transitions = .recompute; $0.attention = .fused }
        let m = RunRecord(request: RunRequest(mvit, variant: .reversible, batch: 3, threads: 1))
        XCTAssertEqual([m.model, m.transitions, m.attention], ["mvit_tiny_test", "recompute", "fused"])
        XCTAssertEqual([m.depth, m.width, m.heads, m.imageSize, m.patchSize, m.batch], [8, 16, 1, 64, 4, 3])
        let vit = RunRecord(request: RunRequest(try Presets.configuration("vit_tiny_test"), variant: .standard, batch: 2, threads: 1))
        XCTAssertNil(vit.transitions, "a ViT has no stage transitions")
        XCTAssertEqual(vit.configuration.description, "vit_tiny_test d4 w32 h2 img32/p8 b2")
    }

    /// A setting added to the schema later (as `mlp_ratio` would be): older rows, without the column, read as its
    /// default, so they keep their configuration and description.
    func testANumberColumnWithADefaultReadsAbsentCellsAsIt() {
        let ratio = ConfigurationColumn.number(.width, prefix: "mlp", absent: 4) { $0.width }
        var older = RunRecord(model: "vit_small_patch16_224", variant: .standard), newer = older
        newer.width = 4
        XCTAssertEqual(ratio.value(older), "4")
        XCTAssertEqual(ratio.value(older), ratio.value(newer))
        XCTAssertNil(ratio.shown(ratio.value(older), older.model), "the default is not shown")
        older.width = 2
        XCTAssertEqual(ratio.shown(ratio.value(older), older.model), "mlp2")
    }

    /// classes and drop_path (--classes, --drop-path): a row written before their columns reads as its preset's
    /// settings, so it keeps its configuration (the --resume key) and description; other settings make another
    /// configuration, which shows them.
    func testClassesAndDropPathReadAbsentCellsAsThePresets() throws {
        let tiny = RunRecord(request: RunRequest(try Presets.configuration("vit_tiny_test"), variant: .standard, batch: 2,
                                                 threads: 1))
        XCTAssertEqual(tiny.classes, 10)
        XCTAssertEqual(tiny.dropPath, 0)
        var older = tiny
        older.classes = nil; older.dropPath = nil
        XCTAssertEqual(older.configuration, tiny.configuration)
        XCTAssertEqual(older.configuration.description, "vit_tiny_test d4 w32 h2 img32/p8 b2")
        var small = RunRecord(model: "vit_small_patch16_224", variant: .standard)
        XCTAssertEqual([small.configuration[.classes], small.configuration[.dropPath]], ["1000", "0.0"])
        small.classes = 10
        XCTAssertEqual(small.configuration.description, "vit_small_patch16_224 w? h? img?/p? classes 10")
        let changed = try Presets.configuration("vit_tiny_test") { $0.classes = 5; $0.dropPath = 0.1 }
        let other = RunRecord(request: RunRequest(changed, variant: .standard, batch: 2, threads: 1))
        XCTAssertNotEqual(other.configuration, tiny.configuration)
        XCTAssertEqual(other.configuration.description, "vit_tiny_test d4 w32 h2 img32/p8 classes 5 drop_path 0.1 b2")
        XCTAssertEqual(other.configuration.modelLabel, "vit_tiny_test (classes 5, drop_path 0.1)")
        XCTAssertTrue(other.configuration < tiny.configuration, "fewer classes first")
    }

    func testDescriptionAndOrderFollowTheColumns() {
        XCTAssertEqual(Set(RunRecord.configurationColumns.map(\.column)), Set(RunRecord.configurationOrder))
        XCTAssertEqual(RunRecord.configurationColumns.count, RunRecord.configurationOrder.count)
        var torch = RunRecord(model: "mvit_base_16", variant: .standard)
        torch.engine = "pytorch 2.11.0"; torch.device = "NVIDIA H100"; torch.precision = "tf32"; torch.transitions = "recompute"
        torch.heads = 1; torch.batch = 8; torch.memoryBudgetBytes = 1 << 30
        XCTAssertEqual(torch.configuration.description,
                       "mvit_base_16 pytorch 2.11.0 NVIDIA H100 tf32 w? h1 img?/p? transitions recompute budget 1.0 GiB")
        XCTAssertEqual(torch.configuration.modelLabel, "mvit_base_16 (pytorch 2.11.0, NVIDIA H100, tf32, transitions recompute)")
        var fused = torch; fused.attention = "fused"
        XCTAssertTrue(fused.configuration < torch.configuration, "fused before math")
        var stored = fused; stored.transitions = nil
        XCTAssertTrue(torch.configuration < stored.configuration, "transitions order before attention")
        var deeper = torch; deeper.depth = 2
        XCTAssertTrue(torch.configuration < deeper.configuration, "an absent depth orders first")
    }
}
