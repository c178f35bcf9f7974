// The seeded generator gives the same bits for the same seed and different bits for another.
import XCTest
import Engine

final class RNGTests: XCTestCase {
    func testSameSeedSameBits() {
        var a = SeededRNG(seed: 42), b = SeededRNG(seed: 42), c = SeededRNG(seed: 43)
        let xa = (0..<100).map { _ in a.normal() }
        let xb = (0..<100).map { _ in b.normal() }
        let xc = (0..<100).map { _ in c.normal() }
        XCTAssertEqual(xa.map(\.bitPattern), xb.map(\.bitPattern))
        XCTAssertNotEqual(xa, xc)
        // Pinned first draws: a change of generator would silently change every seeded result.
        var d = SeededRNG(seed: 0)
        XCTAssertEqual(d.next(), 11_091_344_671_253_066_420)
        XCTAssertEqual(d.normal(), 0.6082095)
    }

    func testNormalHasUnitVariance() {
        var r = SeededRNG(seed: 9)
        let xs = (0..<20000).map { _ in Double(r.normal()) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
    }
}
