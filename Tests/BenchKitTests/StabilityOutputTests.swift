// Issue 23, item 15: `bench stability --output elsewhere.csv` writes its charts beside its output, not into the
// repository's results/plots/ (which only outputs under results/ regenerate).
import XCTest
import Foundation

final class StabilityOutputTests: XCTestCase {
    func testChartsGoBesideAnOutputOutsideResults() throws {
        let dir = NSTemporaryDirectory() + "revbench-stability-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try BenchProcess.run(["stability", "--model", "vit_tiny_test", "--depths", "2", "--steps", "1",
                                      "--measure-every", "1", "--batch", "2", "--threads", "1", "--quiet",
                                      "--output", dir + "/elsewhere.csv"])
        XCTAssertEqual(r.status, 0, r.err)
        let written = r.out.split(separator: "\n").filter { $0.hasPrefix("wrote ") }.map { String($0.dropFirst("wrote ".count)) }
        XCTAssertFalse(written.isEmpty, r.out)
        for path in written {
            XCTAssertTrue(path.hasPrefix(dir + "/") && path.hasSuffix(".svg"), "a chart outside the output's folder: \(path)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        }
    }
}
