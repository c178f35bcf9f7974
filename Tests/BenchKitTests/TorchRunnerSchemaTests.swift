// The PyTorch runner (torchrunner/) writes rows in bench's schema: its column list must equal RunRecord's coding
// keys, in order, so `bench table`, `plot` and `check --current` read its rows with no special case. CI runs this;
// torchrunner/tests checks the same against a real CSV where torch is installed.
import XCTest
import Foundation
@testable import BenchKit

final class TorchRunnerSchemaTests: XCTestCase {
    func testRunnerColumnsEqualTheRunRecordsCodingKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = try String(contentsOf: root.appendingPathComponent("torchrunner/revbench_torch/record.py"), encoding: .utf8)
        let start = try XCTUnwrap(source.range(of: "COLUMNS = ("), "record.py declares COLUMNS")
        let end = try XCTUnwrap(source.range(of: ")", range: start.upperBound..<source.endIndex))
        let body = source[start.upperBound..<end.lowerBound]
        let names = body.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        XCTAssertEqual(names, RunRecord.columns)
    }
}
