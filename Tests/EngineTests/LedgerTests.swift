// The ledger's arithmetic: exact live and peak bytes per category after a scripted allocation sequence.
import XCTest
import Engine

final class LedgerTests: XCTestCase {
    func testScriptedAllocationsGiveExactLiveAndPeak() {
        let ledger = Ledger.shared
        let start = ledger.snapshot()
        ledger.resetPeaks()
        do {
            let a = Tensor([10, 10], category: .activation)          // 400 B
            var b: Tensor? = Tensor([25], category: .activation)     // 100 B
            let w = Tensor([3, 4], category: .parameter)             // 48 B
            XCTAssertEqual(ledger.live(.activation) - start.live(.activation), 500)
            XCTAssertEqual(ledger.live(.parameter) - start.live(.parameter), 48)
            b = nil                                                  // frees 100 B at once (ARC)
            XCTAssertNil(b)
            XCTAssertEqual(ledger.live(.activation) - start.live(.activation), 400)
            let c = Tensor([50], category: .activation)              // 200 B: live 600, new peak
            XCTAssertEqual(ledger.peak(.activation) - start.live(.activation), 600)
            XCTAssertEqual(ledger.peakTotal - start.liveTotal, 648)
            withExtendedLifetime((a, w, c)) {}
        }
        XCTAssertEqual(ledger.live(.activation), start.live(.activation))
        XCTAssertEqual(ledger.live(.parameter), start.live(.parameter))
        XCTAssertEqual(ledger.peak(.activation) - start.live(.activation), 600, "peak survives the frees")
        ledger.resetPeaks()
        XCTAssertEqual(ledger.peak(.activation), ledger.live(.activation))
    }

    func testReshapeAndCopiesShareStorageWithoutNewAllocations() {
        let t = Tensor([4, 6])
        let before = Ledger.shared.allocationCount
        let r = t.reshaped([2, 12])
        r[5] = 3
        XCTAssertEqual(t[5], 3)
        XCTAssertEqual(Ledger.shared.allocationCount, before)
    }
}
