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

    /// Runs git with `args` in `folder`; its trimmed stdout (the test fails when git fails).
    func git(_ args: [String], in folder: String) throws -> String {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", folder] + args
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "git \(args.joined(separator: " ")) in \(folder)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// git_sha is the commit of the checkout bench was built from, whatever repository the working directory is
    /// in: run from inside an unrelated `git init` repository, rows got that repository's SHA (and "unknown" from
    /// a folder outside any repository).
    func testGitSHAIsTheBuildCheckoutsNotTheWorkingDirectorys() throws {
        let checkout = try XCTUnwrap(EnvironmentInfo.checkoutRoot(executables: [benchExecutablePath]),
                                     "bench is built inside its checkout: \(benchExecutablePath)")
        let head = try git(["rev-parse", "--short=12", "HEAD"], in: checkout)
        let dirty = try git(["status", "--porcelain", "--"] + EnvironmentInfo.sourcePaths, in: checkout)
        let expected = head + (dirty.isEmpty ? "" : "-dirty")

        let foreign = temporaryFolder("foreign-repo")
        _ = try git(["init", "-q"], in: foreign)
        _ = try git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "other"], in: foreign)
        let foreignHead = try git(["rev-parse", "--short=12", "HEAD"], in: foreign)
        XCTAssertNotEqual(foreignHead, head)
        let r = try BenchProcess.run(["run", "--model", "vit_tiny_test", "--batch", "2", "--steps", "1", "--warmup", "0",
                                      "--threads", "1", "--rounds", "1", "--variants", "standard", "--quiet",
                                      "--output", "rows.csv"], in: foreign)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try ResultsFile.read(foreign + "/rows.csv").first?.gitSHA, expected)
    }

    /// The checkout is found above the executable's path as started, so a `.build` that is a symlink to a folder
    /// elsewhere (or a custom --scratch-path inside the checkout) still names it; an executable outside any
    /// RevBench checkout, or under another package's, has none.
    func testCheckoutRootIsFoundAboveTheExecutable() throws {
        let root = temporaryFolder("checkout")
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/.git", withIntermediateDirectories: true)
        try #"let package = Package(name: "RevBench")"#.write(toFile: root + "/Package.swift", atomically: true, encoding: .utf8)
        XCTAssertEqual(EnvironmentInfo.checkoutRoot(executables: [root + "/.build/release/bench"]), root)
        XCTAssertEqual(EnvironmentInfo.checkoutRoot(executables: [root + "/scratch/x86_64-unknown-linux-gnu/debug/bench"]), root)
        let elsewhere = temporaryFolder("build-elsewhere")
        try manager.createSymbolicLink(atPath: root + "/.build", withDestinationPath: elsewhere)
        XCTAssertEqual(EnvironmentInfo.checkoutRoot(executables: [root + "/.build/debug/bench", elsewhere + "/debug/bench"]), root)
        XCTAssertNil(EnvironmentInfo.checkoutRoot(executables: [elsewhere + "/debug/bench"]))

        let other = temporaryFolder("other-package")
        try manager.createDirectory(atPath: other + "/.git", withIntermediateDirectories: true)
        try #"let package = Package(name: "Other")"#.write(toFile: other + "/Package.swift", atomically: true, encoding: .utf8)
        XCTAssertNil(EnvironmentInfo.checkoutRoot(executables: [other + "/.build/release/bench"]))
        XCTAssertEqual(EnvironmentInfo.checkoutCommit(nil), "unknown")
    }
}
