// Tests for the machine description every CSV row carries.
import XCTest
@testable import BenchKit

final class EnvironmentInfoTests: XCTestCase {
    /// The cpu column names family, model and stepping of the first CPU, so rows from different hosts that share a
    /// model name ("AMD EPYC") can be told apart.
    func testCPUDescriptionNamesFamilyModelAndStepping() {
        let cpuinfo = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        model\t\t: 17
        model name\t: AMD EPYC
        stepping\t: 1

        processor\t: 1
        vendor_id\t: AuthenticAMD
        cpu family\t: 26
        model\t\t: 2
        model name\t: Other CPU
        stepping\t: 0
        """
        XCTAssertEqual(EnvironmentInfo.cpuDescription(cpuinfo: cpuinfo), "AMD EPYC (family 25 model 17 stepping 1)")
    }

    func testCPUDescriptionWithoutIdentifiersIsTheModelName() {
        XCTAssertEqual(EnvironmentInfo.cpuDescription(cpuinfo: "model name\t: Some CPU\n"), "Some CPU")
        XCTAssertEqual(EnvironmentInfo.cpuDescription(cpuinfo: ""), "unknown")
    }

    func testCurrentMachineHasAModelName() {
        XCTAssertFalse(EnvironmentInfo.cpuModel().isEmpty)
    }

    /// Issue 23, item 14: the Swift version is the compiler's, fixed at build time: nothing is spawned for it, so a
    /// measuring command leaves nothing in TMPDIR (the swift driver left an empty TemporaryDirectory.XXXXXX per
    /// command) and an unwritable TMPDIR no longer records "unknown".
    func testSwiftVersionIsTheCompilersAndNothingIsLeftInTMPDIR() throws {
        XCTAssertNotNil(EnvironmentInfo.swiftCompilerVersion.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+$"#, options: .regularExpression),
                        EnvironmentInfo.swiftCompilerVersion)
        let tmp = NSTemporaryDirectory() + "revbench-tmpdir-\(UUID().uuidString)"
        let out = NSTemporaryDirectory() + "revbench-tmpdir-out-\(UUID().uuidString).csv"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp); try? FileManager.default.removeItem(atPath: out) }
        let r = try BenchProcess.run(["--model", "vit_tiny_test", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1",
                                      "--rounds", "1", "--variants", "standard", "--quiet", "--output", out],
                                     environment: ["TMPDIR": tmp + "/"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try ResultsFile.read(out).first?.swiftVersion, EnvironmentInfo.swiftCompilerVersion)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [], "nothing left in TMPDIR")
    }
}
