// Item 8 of issue 23: a measuring child dies with its parent when a signal reaches the parent alone (a scheduler's
// SIGTERM, a CI timeout's SIGKILL), instead of measuring on with parent 1 for a result nobody reads.
import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class ParentLifetimeTests: XCTestCase {
    /// Whether `pid` is gone (or a zombie waiting to be reaped: it runs no more).
    func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    func testTheChildDiesWithItsParent() throws {
        let dir = NSTemporaryDirectory() + "revbench-parent-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sig in [SIGKILL, SIGTERM] {
            // A child that would measure for many minutes.
            let parent = BenchProcess.start(["--model", "vit_tiny_test", "--batch", "2", "--steps", "1000000", "--warmup", "0",
                                             "--threads", "1", "--rounds", "1", "--variants", "standard", "--quiet",
                                             "--output", dir + "/runs-\(sig).csv"])
            try parent.run()
            let measuring = try XCTUnwrap(BenchProcess.firstMeasuringChild(of: parent),
                                          "the parent started its measuring child")
            defer { kill(measuring, SIGKILL) }
            kill(parent.processIdentifier, sig)   // the parent alone, not its process group
            parent.waitUntilExit()
            // The kernel kills the child as the parent dies; the wait only bounds a busy machine's scheduling.
            let killed = Date()
            while !isGone(measuring) && Date().timeIntervalSince(killed) < 10 { usleep(20_000) }
            XCTAssertTrue(isGone(measuring), "signal \(sig): the child \(measuring) outlived its parent")
        }
    }
}
