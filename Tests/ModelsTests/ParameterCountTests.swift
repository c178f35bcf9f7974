// The arithmetic parameter count (what size checks use instead of building a model) equals the built models'
// count for every family and variant, and reports overflow instead of trapping.
import XCTest
@testable import Models

final class ParameterCountTests: XCTestCase {
    func testArithmeticCountEqualsTheBuiltModels() throws {
        var configs: [(String, ModelConfiguration)] = []
        for name in ["vit_tiny_test", "mvit_tiny_test", "vit_small_patch16_224", "mvit_base_16"] {
            configs.append((name, try Presets.named(name).config))
        }
        var wide = try Presets.named("vit_tiny_test").config
        wide.width = 48; wide.heads = 3; wide.classes = 7; wide.depth = 3; wide.imageSize = 48; wide.patchSize = 16
        configs.append(("vit_tiny_test overridden", wide))
        var deep = try Presets.named("mvit_tiny_test").config
        deep.depth = 9; deep.width = 24; deep.heads = 2; deep.attention = .fused; deep.transitions = .recompute
        configs.append(("mvit_tiny_test overridden", deep))
        for (name, config) in configs {
            try config.validate()
            for variant in Variant.allCases {
                let built = Presets.makeModel(config, variant: variant, initialize: false).parameterCount
                XCTAssertEqual(config.parameterCount(variant), built, "\(name) \(variant.rawValue)")
            }
        }
    }

    func testOverflowIsReportedNotTrapped() {
        XCTAssertNil((CheckedInt(Int.max) * 2).value)
        XCTAssertNil((CheckedInt(Int.max) + 1).value)
        XCTAssertEqual((CheckedInt(3) * 4 + 5).value, 17)
        var huge = ModelConfiguration(imageSize: 224, patchSize: 16, width: 1 << 40, depth: 1 << 40, heads: 1)
        huge.classes = 1 << 40
        XCTAssertNil(huge.parameterCount(.standard), "computed without building anything, and unknown")
    }

    /// Sizes beyond the accepted ranges are refused naming the value and the range; within them, what does not fit
    /// 64-bit arithmetic or 1 PiB is refused by SizeCheck before any allocation.
    func testAbsurdSizesAreRefusedByValidationAndSizeCheck() throws {
        var c = try Presets.named("vit_tiny_test").config
        c.depth = 1_000_000_000
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual("\($0)", "depth 1000000000 is outside 1...10000") }
        c = try Presets.named("vit_tiny_test").config
        XCTAssertThrowsError(try SizeCheck.check(c, variant: .standard, batch: 9_000_000_000_000_000_000, workers: 1)) {
            XCTAssertTrue("\($0)".contains("batch 9000000000000000000: far too large"), "\($0)")
        }
        XCTAssertEqual(try SizeCheck.check(c, variant: .reversible, batch: 2, workers: 1).parameterCount, c.parameterCount(.reversible))
    }
}
