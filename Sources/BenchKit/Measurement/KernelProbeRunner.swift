// Starts the `bench calibrate` children that measure one OpenBLAS kernel set each (OPENBLAS_CORETYPE takes effect
// only when OpenBLAS loads, so a kernel set other than this process's needs a process of its own). A child dies
// with its parent (ParentLifetime); a child that crashes (SIGILL from kernels the CPU cannot run) is an error here.
import Foundation

/// Runs kernel probes in child processes of this executable.
public struct KernelProbeRunner {
    /// The hidden calibrate flag that makes a process a probe child.
    public static let childFlag = "--kernel-probe"

    public var executable: String
    public var threads: Int
    public var repeats: Int

    public init(executable: String = ChildRunner.executablePath, threads: Int, repeats: Int) {
        self.executable = executable; self.threads = threads; self.repeats = repeats
    }

    /// The child's arguments.
    public func arguments(check: Bool) -> [String] {
        ["calibrate", Self.childFlag, "--threads", "\(threads)", "--repeats", "\(repeats)"] + (check ? ["--kernel-check"] : [])
    }

    /// Measures with OPENBLAS_CORETYPE set to `coreType` (nil: this process's environment unchanged).
    public func probe(coreType: String?, check: Bool) throws -> KernelProbe {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments(check: check)
        var env = ParentLifetime.childEnvironment()
        env[BLASEnvironment.marker] = "1"  // the child loads OpenBLAS as told, without bench's own re-exec
        if let coreType { env["OPENBLAS_CORETYPE"] = coreType }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let what = "OPENBLAS_CORETYPE=\(coreType ?? ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")"
        guard p.terminationReason == .exit, p.terminationStatus == 0,
              let probe = KernelProbe.parse(output: String(decoding: data, as: UTF8.self)) else {
            let how = p.terminationReason == .uncaughtSignal ? "was killed by signal \(p.terminationStatus)"
                                                              : "exited with status \(p.terminationStatus)"
            let tail = String(decoding: errors, as: UTF8.self).split(separator: "\n").last.map { ": \($0)" } ?? ""
            throw BenchError("the SGEMM probe with \(what) \(how)\(tail)")
        }
        return probe
    }
}
