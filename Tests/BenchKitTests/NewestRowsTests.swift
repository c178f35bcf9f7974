// A configuration measured more than once (another machine, commit or thread count, appended beside the committed
// rows) is shown by its newest row in every reader that picks one row per configuration, with a line saying how
// many configurations had older rows left out.
import XCTest
import Foundation
@testable import BenchKit
import Models

final class NewestRowsTests: XCTestCase {
    /// A ViT-S depth 12 batch 2 row of `variant` measured at `time` with `threads`, at `ips` images/s.
    func measured(_ variant: Variant = .standard, threads: Int, ips: Double, bytes: Int = 1_000_000,
                  time: String) -> RunRecord {
        var r = row("vit_small_patch16_224", variant, depth: 12, bytesPerImage: bytes, ips: ips)
        r.threads = threads
        r.timestamp = time
        return r
    }

    let older = "2026-11-26T10:00:00Z", newer = "2026-11-27T10:00:00Z"

    func testTheNewestRowOfEachConfigurationAndVariantIsKept() {
        let a = measured(threads: 1, ips: 1, time: older), b = measured(threads: 2, ips: 9, time: newer)
        let rev = measured(.reversible, threads: 1, ips: 3, time: older)
        XCTAssertEqual([a, rev, b].newestRows().rows, [rev, b])
        XCTAssertEqual([b, rev, a].newestRows().rows, [b, rev], "by timestamp, not position")
        XCTAssertEqual([a, rev, b].newestRows().hiddenConfigurations, 1)
        var untimed = a; untimed.timestamp = nil
        XCTAssertEqual([untimed, b].newestRows().rows, [b])
        XCTAssertEqual([a, rev].newestRows().hiddenConfigurations, 0, "one row per variant hides nothing")
        var failed = b; failed.error = "child killed"
        XCTAssertEqual([a, failed].newestRows().rows, [a, failed], "failures are not rows to choose between")
    }

    /// Issue: `bench table` showed the FIRST row of a repeated configuration (threads 1 of a file holding threads 1
    /// then 2), silently. Every reader now shows the newest and the tables say how many had older rows.
    func testTablesShowTheNewestRowAndSayHowManyWereLeftOut() {
        let rows = [measured(threads: 1, ips: 1.25, time: older), measured(threads: 2, ips: 7.75, time: newer)]
        let markdown = MarkdownReport.render(rows)
        XCTAssertTrue(markdown.contains("7.75") && !markdown.contains("1.25"), markdown)
        XCTAssertTrue(markdown.contains("1 configuration has older rows not shown"), markdown)
        let text = ComparisonTable.render(rows)
        XCTAssertTrue(text.contains("7.75") && !text.contains("1.25"), text)
        XCTAssertTrue(text.contains("1 configuration has older rows not shown"), text)
        XCTAssertFalse(MarkdownReport.render([rows[1]]).contains("not shown"))

        var budget = rows.map { r -> RunRecord in var b = r; b.maxBatch = Int(r.imagesPerSecond! * 4); b.memoryBudgetBytes = 2 << 30; return b }
        budget.swapAt(0, 1)
        let budgetText = BudgetTable.render(budget)
        XCTAssertTrue(budgetText.contains("31") && !budgetText.contains(" 5 "), budgetText)
        XCTAssertTrue(budgetText.contains("1 configuration has older rows not shown"), budgetText)

        let svg = Plots.charts(rows).first { $0.0.hasPrefix("throughput") }!.1
        let newest = Plots.charts([rows[1]]).first { $0.0.hasPrefix("throughput") }!.1
        XCTAssertEqual(svg, newest, "the plot draws the newest row only")
    }

    /// bench check compares the newest row of a configuration measured twice, in the current rows as in the table.
    func testTheCheckComparesTheNewestRow() {
        let baseline = [measured(threads: 1, ips: 1, bytes: 1_000_000, time: older)]
        let grown = measured(threads: 1, ips: 1, bytes: 2_000_000, time: older), same = measured(threads: 1, ips: 1, time: newer)
        func failures(_ current: [RunRecord]) -> Int {
            RegressionCheck.compare(baseline: baseline, current: current).filter { $0.severity == .failure }.count
        }
        XCTAssertEqual(failures([grown, same]), 0, "the newer row has the baseline's bytes")
        var grownLater = grown; grownLater.timestamp = "2026-11-28T10:00:00Z"
        XCTAssertEqual(failures([grownLater, same]), 1, "the newer row grew, though the file has it first")
    }

    /// End to end, as the user met it: two rows of one configuration (threads 1, then threads 2) in one file;
    /// `bench table` shows the second.
    func testBenchTableShowsTheNewestRowOfAFile() throws {
        let path = temporaryFolder("newest") + "/thr.csv"
        let file = try ResultsFile(path: path)
        try file.append(measured(threads: 1, ips: 1.25, time: older))
        try file.append(measured(threads: 2, ips: 7.75, time: newer))
        let r = try BenchProcess.run(["table", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("7.75") && !r.out.contains("1.25"), r.out)
        XCTAssertTrue(r.out.contains("1 configuration has older rows not shown"), r.out)
    }
}
