// Runs each profiled variant in a fresh child process of bench (the hidden `profile-one`), as measured runs are:
// the parent hands the child its RunRequest as JSON, the child warms up, profiles one step and prints its
// StepProfile as one marked JSON line.
import Foundation
import Engine
import Models

/// The parent and child sides of one profiled variant.
public enum ProfileRunner {
    /// Marks the stdout line that carries the child's profile.
    public static let profileMarker = "REVBENCH_PROFILE\t"
    /// The hidden subcommand the child runs.
    public static let subcommand = "profile-one"

    /// Arguments that make a child profile `r` (and measure the overhead over `overheadPairs` pairs of steps).
    public static func arguments(_ r: RunRequest, overheadPairs: Int) throws -> [String] {
        [subcommand, "--request", String(decoding: try ChildRunner.encoder.encode(r), as: UTF8.self),
         "--overhead-pairs", String(overheadPairs)]
    }

    /// The child's side: profiles `r` in this process and prints the marked profile.
    public static func childMain(_ r: RunRequest, overheadPairs: Int, quiet: Bool) throws {
        let profile = StepProfiler.run(r, overheadPairs: overheadPairs, log: quiet ? nil : { line in
            FileHandle.standardError.write(Data("    \(line)\n".utf8))
        })
        print(profileMarker + String(decoding: try ChildRunner.encoder.encode(profile), as: UTF8.self))
        fflush(stdout)
    }

    /// Profiles `r` in a child process of `executable`; a child that fails is a BenchError naming how.
    public static func run(_ r: RunRequest, overheadPairs: Int = 0, executable: String = ChildRunner.executablePath,
                           quiet: Bool) throws -> StepProfile {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = try arguments(r, overheadPairs: overheadPairs) + (quiet ? ["--quiet"] : [])
        p.environment = ParentLifetime.childEnvironment()  // the child dies with this process
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let collected = StderrTail(echo: !quiet)
        err.fileHandleForReading.readabilityHandler = { h in collected.add(h.availableData) }
        do { try p.run() } catch { throw BenchError("could not start the profiling child: \(error.localizedDescription)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        collected.add(err.fileHandleForReading.readDataToEndOfFile())
        let text = String(decoding: data, as: UTF8.self)
        if p.terminationReason == .exit, p.terminationStatus == 0,
           let line = text.split(separator: "\n").last(where: { $0.hasPrefix(profileMarker) }) {
            do { return try ChildRunner.decoder.decode(StepProfile.self, from: Data(line.dropFirst(profileMarker.count).utf8)) }
            catch { throw BenchError("the profiling child's output is not a profile: \(error)") }
        }
        let how = p.terminationReason == .uncaughtSignal ? "was killed by signal \(p.terminationStatus)"
                                                          : "exited with status \(p.terminationStatus)"
        let tail = collected.failureLine
        throw BenchError("profiling \(r.model) \(r.variant.rawValue) failed: the child \(how)" + (tail.isEmpty ? "" : ": \(tail)"))
    }
}
