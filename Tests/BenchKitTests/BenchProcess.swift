// Running the bench executable from a test: its exit status and both outputs, optionally with extra environment
// variables or under another user (a root test process cannot be refused a write by permissions).
import Foundation
import XCTest

/// One finished run of bench.
struct BenchProcess {
    let status: Int32
    let reason: Process.TerminationReason
    let out: String
    let err: String

    /// Runs bench with `args` to its end (in `folder` as its working directory, when given).
    static func run(_ args: [String], environment: [String: String] = [:], asUser uid: UInt32? = nil,
                    in folder: String? = nil) throws -> BenchProcess {
        let p = start(args, environment: environment, asUser: uid)
        if let folder { p.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return BenchProcess(status: p.terminationStatus, reason: p.terminationReason,
                            out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// A configured, not yet started bench process (its outputs go nowhere unless set).
    static func start(_ args: [String], environment: [String: String] = [:], asUser uid: UInt32? = nil) -> Process {
        let p = Process()
        if let uid {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", benchExecutablePath] + args
        } else {
            p.executableURL = URL(fileURLWithPath: benchExecutablePath)
            p.arguments = args
        }
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        return p
    }

    /// The running children of `pid` that run bench's `subcommand` (measure-one, profile-one), from /proc: parent in
    /// stat, subcommand in cmdline (the parent also runs git, which is not the child this is about).
    static func children(of pid: Int32, running subcommand: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let child = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == pid, fields[0] != "Z",
                  String(decoding: cmdline, as: UTF8.self).contains(subcommand) else { return nil }
            return child
        }
    }

    /// The running `bench measure-one` children of `pid`.
    static func measuringChildren(of pid: Int32) -> [Int32] { children(of: pid, running: "measure-one") }

    /// The first `bench measure-one` child of a started `parent`, waited for while the parent runs (up to two minutes
    /// on a busy machine); nil if none appeared.
    static func firstMeasuringChild(of parent: Process) -> Int32? {
        let start = Date()
        while parent.isRunning && Date().timeIntervalSince(start) < 120 {
            if let child = measuringChildren(of: parent.processIdentifier).first { return child }
            usleep(20_000)
        }
        return nil
    }

    /// A one-line refusal: exit 64, one `error:` line on stderr, no crash.
    func assertRefused(_ mentions: [String], _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 64, "\(context): \(err)", file: file, line: line)
        XCTAssertTrue(err.hasPrefix("error: "), "\(context): \(err)", file: file, line: line)
        XCTAssertEqual(err.split(separator: "\n").count, 1, "\(context): one line: \(err)", file: file, line: line)
        for m in mentions { XCTAssertTrue(err.contains(m), "\(context): stderr lacks '\(m)': \(err)", file: file, line: line) }
    }
}
