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
}
