// What a user sees when a measuring child traps: the trap's one message, on the terminal and in the row's error,
// not a backtrace (and not the backtracer's last line as the error).
import XCTest
import Foundation
@testable import BenchKit

final class ChildFailureTests: XCTestCase {
    /// The failure line is the trap's message even when a backtrace follows it; otherwise the last line.
    func testTheFailureLineIsTheTrapsMessage() {
        let crash = """
            step 1/1
            Engine/Tensor.swift:27: Fatal error: out of memory allocating 1228800000 bytes

            💣 Program crashed: Illegal instruction at 0x00007f
            Thread 0 crashed:
            0  0x00007f in closure #1 at /x/Tensor.swift:27
            Backtrace took 0.29s

            """
        XCTAssertEqual(StderrTail.failureLine(in: crash), "Engine/Tensor.swift:27: Fatal error: out of memory allocating 1228800000 bytes")
        XCTAssertEqual(StderrTail.failureLine(in: "warm-up\n  killed  \n\n"), "killed")
        XCTAssertEqual(StderrTail.failureLine(in: ""), "")
    }

    /// A child that runs out of address space (`ulimit -v`, inherited from the parent's shell) fails its row with
    /// the allocator's message; the parent's terminal shows that line, not a backtrace.
    func testAChildThatTrapsRecordsItsMessageWithoutABacktrace() throws {
        let out = temporaryFolder("child-trap") + "/rows.csv"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -v 3000000 && exec \"$@\"", "sh", benchExecutablePath, "run", "--model", "vit_tiny_test",
                       "--batch", "2000000", "--variants", "standard", "--steps", "1", "--warmup", "0", "--rounds", "1",
                       "--force", "--output", out]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = nil
        p.environment = environment
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let row = try XCTUnwrap(try ResultsFile.read(out).first, stderr)
        let error = try XCTUnwrap(row.error, "the row records a failure")
        XCTAssertTrue(error.contains("Fatal error: out of memory allocating"), error)
        XCTAssertTrue(stderr.contains("Fatal error: out of memory allocating"), stderr)
        XCTAssertFalse(stderr.contains("Backtrace took") || stderr.contains("crashed:"), stderr)
    }
}
