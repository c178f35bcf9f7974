// Runs each configuration in a fresh child process of bench, so no run's heap, caches or fragmentation affect
// another. The parent hands the child its RunRequest as one JSON value; the child prints one marked JSON line with
// its RunRecord. A child that crashes or is killed becomes a record with its error.
import Foundation
import Engine
import Models

public enum ChildRunner {
    /// Marks the stdout line that carries the child's record.
    public static let recordMarker = "REVBENCH_RECORD\t"
    /// The hidden subcommand the child runs.
    public static let subcommand = "measure-one"
    /// Environment variable that makes the child's measured steps hold one extra (B, N, C) activation per block
    /// (tests of `bench check` only: neither the models nor the step runner know of it).
    public static let testingExtraActivationVariable = "REVBENCH_TESTING_EXTRA_ACTIVATION"

    /// The test hook `testingExtraActivationVariable` asks for, or nil: one allocation the size of a (B, N, C)
    /// activation per block, held through each timed step.
    static func testingExtraActivation() -> ((RunRequest) -> Any?)? {
        guard ProcessInfo.processInfo.environment[testingExtraActivationVariable] == "1" else { return nil }
        return { r in
            let c = r.configuration
            return Tensor([c.depth * r.batch * c.tokens(r.variant) * c.width], zeroed: false)
        }
    }

    /// JSON both ways; a diverged loss (NaN, infinity) is a value to record, not an encoding error.
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Arguments that make a child measure `r`: the request as one JSON value.
    public static func arguments(_ r: RunRequest) throws -> [String] {
        [subcommand, "--request", String(decoding: try encoder.encode(r), as: UTF8.self)]
    }

    /// The request a child was handed.
    public static func request(fromJSON text: String) throws -> RunRequest {
        do { return try decoder.decode(RunRequest.self, from: Data(text.utf8)) }
        catch { throw BenchError("--request is not a run request: \(error)") }
    }

    /// The child's side: measures and prints the marked record.
    public static func childMain(_ r: RunRequest, quiet: Bool) throws {
        let record = try StepRunner.measure(r, log: quiet ? nil : { line in
            FileHandle.standardError.write(Data("    \(line)\n".utf8))
        }, duringStep: testingExtraActivation())
        print(recordMarker + String(decoding: try encoder.encode(record), as: UTF8.self))
        fflush(stdout)
    }

    /// The path of the running executable.
    public static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs `r` in a child process of `executable`; returns its record, or a record naming the failure.
    /// The child's step log goes to stderr unless `quiet`.
    public static func run(_ r: RunRequest, executable: String = executablePath, quiet: Bool) -> RunRecord {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        do { p.arguments = try arguments(r) + (quiet ? ["--quiet"] : []) }
        catch { return r.failure("could not encode the request: \(error)") }
        // The child dies with this process (see ParentLifetime).
        p.environment = ParentLifetime.childEnvironment()
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let collected = StderrTail(echo: !quiet)
        do { try p.run() } catch {
            return r.failure("could not start child process: \(error.localizedDescription)")
        }
        // Stderr is read to its end on a thread of its own, echoed as it comes; the tail is read only after that
        // thread has seen the end, so the child's last line is never lost to a read still in flight.
        let stderrRead = DispatchSemaphore(value: 0), errors = err.fileHandleForReading
        Thread.detachNewThread {
            while case let data = errors.availableData, !data.isEmpty { collected.add(data) }
            stderrRead.signal()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        stderrRead.wait()
        let text = String(decoding: data, as: UTF8.self)
        if p.terminationReason == .exit, p.terminationStatus == 0,
           let line = text.split(separator: "\n").last(where: { $0.hasPrefix(recordMarker) }),
           let record = try? decoder.decode(RunRecord.self, from: Data(line.dropFirst(recordMarker.count).utf8)) {
            return record
        }
        let how = p.terminationReason == .uncaughtSignal ? "killed by signal \(p.terminationStatus)"
                                                          : "exited with status \(p.terminationStatus)"
        let tail = collected.failureLine
        return r.failure("child process \(how)" + (tail.isEmpty ? "" : ": \(tail)"))
    }
}
