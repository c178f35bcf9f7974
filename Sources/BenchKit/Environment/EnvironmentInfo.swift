// The environment every CSV row carries: code version, machine, libraries, build.
import Foundation
import Engine

/// Facts about where and how a measurement ran.
public struct EnvironmentInfo: Sendable {
    public var gitSHA: String
    public var cpu: String
    public var cores: Int
    public var blas: String
    public var jemallocVersion: String
    public var swiftVersion: String
    public var build: String

    /// Reads everything once (runs `git` in the checkout bench was built in, whatever the working directory;
    /// "unknown" outside one; the Swift version is the compiler's that built bench).
    public static func current() -> EnvironmentInfo {
        EnvironmentInfo(gitSHA: checkoutCommit(checkoutRoot(executables: executablePaths)),
                        cpu: cpuModel(), cores: System.coreCount,
                        blas: "OpenBLAS \(openBLASVersion()) \(BLAS.coreName)",
                        jemallocVersion: Jemalloc.version.map { String($0.prefix { $0 != "-" }) } ?? "not linked",
                        swiftVersion: swiftVersion(), build: buildConfiguration)
    }

    /// How bench was compiled. The engine targets are optimized in both configurations; debug builds keep their
    /// preconditions (-O), release builds drop them (-Ounchecked).
    public static var buildConfiguration: String {
        #if DEBUG
        return "debug (engine -O, checked)"
        #else
        return "release (engine -Ounchecked)"
        #endif
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        return cpuDescription(cpuinfo: text)
    }

    /// Names the first CPU of a /proc/cpuinfo text: its model name, then family, model and stepping.
    ///
    /// Cloud images often report only "AMD EPYC" as the model name, which hides that two hosts may be different
    /// generations (Zen 4 and Zen 5 differ about 2x in AVX-512 SGEMM): the numbers tell rows from them apart.
    static func cpuDescription(cpuinfo text: String) -> String {
        let fields = firstCPUFields(cpuinfo: text)
        let name = fields["model name"] ?? "unknown"
        let ids = [("family", fields["cpu family"]), ("model", fields["model"]), ("stepping", fields["stepping"])]
            .compactMap { label, value in value.map { "\(label) \($0)" } }
        return ids.isEmpty ? name : "\(name) (\(ids.joined(separator: " ")))"
    }

    /// The "key : value" fields of the first processor block of a /proc/cpuinfo text, keys and values trimmed.
    static func firstCPUFields(cpuinfo text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty, !fields.isEmpty { break }  // end of the first CPU
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }

    static func openBLASVersion() -> String {
        // openblas_get_config() reads like "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
        let parts = BLAS.config.split(separator: " ")
        return parts.count > 1 ? String(parts[1]) : "unknown"
    }

    static func swiftVersion() -> String { swiftCompilerVersion }

    /// The version of the Swift compiler that built this binary, fixed when it was compiled. Asking `swift --version`
    /// at run time cost a process per command, left an empty TemporaryDirectory.XXXXXX in TMPDIR each time (the
    /// driver's), recorded "unknown" when TMPDIR was not writable, and named the toolchain on PATH, which need not be
    /// the one that built the binary.
    public static let swiftCompilerVersion: String = {
        #if compiler(>=7.0)
        return "7.0 or later"
        #elseif compiler(>=6.6.4)
        return "6.6.4"
        #elseif compiler(>=6.6.3)
        return "6.6.3"
        #elseif compiler(>=6.6.2)
        return "6.6.2"
        #elseif compiler(>=6.6.1)
        return "6.6.1"
        #elseif compiler(>=6.6.0)
        return "6.6.0"
        #elseif compiler(>=6.5.4)
        return "6.5.4"
        #elseif compiler(>=6.5.3)
        return "6.5.3"
        #elseif compiler(>=6.5.2)
        return "6.5.2"
        #elseif compiler(>=6.5.1)
        return "6.5.1"
        #elseif compiler(>=6.5.0)
        return "6.5.0"
        #elseif compiler(>=6.4.4)
        return "6.4.4"
        #elseif compiler(>=6.4.3)
        return "6.4.3"
        #elseif compiler(>=6.4.2)
        return "6.4.2"
        #elseif compiler(>=6.4.1)
        return "6.4.1"
        #elseif compiler(>=6.4.0)
        return "6.4.0"
        #elseif compiler(>=6.3.4)
        return "6.3.4"
        #elseif compiler(>=6.3.3)
        return "6.3.3"
        #elseif compiler(>=6.3.2)
        return "6.3.2"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3.0)
        return "6.3.0"
        #elseif compiler(>=6.2.4)
        return "6.2.4"
        #elseif compiler(>=6.2.3)
        return "6.2.3"
        #elseif compiler(>=6.2.2)
        return "6.2.2"
        #elseif compiler(>=6.2.1)
        return "6.2.1"
        #elseif compiler(>=6.2.0)
        return "6.2.0"
        #elseif compiler(>=6.1.4)
        return "6.1.4"
        #elseif compiler(>=6.1.3)
        return "6.1.3"
        #elseif compiler(>=6.1.2)
        return "6.1.2"
        #elseif compiler(>=6.1.1)
        return "6.1.1"
        #elseif compiler(>=6.1.0)
        return "6.1.0"
        #elseif compiler(>=6.0.4)
        return "6.0.4"
        #elseif compiler(>=6.0.3)
        return "6.0.3"
        #elseif compiler(>=6.0.2)
        return "6.0.2"
        #elseif compiler(>=6.0.1)
        return "6.0.1"
        #elseif compiler(>=6.0.0)
        return "6.0.0"
        #elseif compiler(>=5.10.4)
        return "5.10.4"
        #elseif compiler(>=5.10.3)
        return "5.10.3"
        #elseif compiler(>=5.10.2)
        return "5.10.2"
        #elseif compiler(>=5.10.1)
        return "5.10.1"
        #elseif compiler(>=5.10.0)
        return "5.10.0"
        #elseif compiler(>=5.9.4)
        return "5.9.4"
        #elseif compiler(>=5.9.3)
        return "5.9.3"
        #elseif compiler(>=5.9.2)
        return "5.9.2"
        #elseif compiler(>=5.9.1)
        return "5.9.1"
        #elseif compiler(>=5.9.0)
        return "5.9.0"
        #else
        return "older than 5.9"
        #endif
    }()

    /// Runs a program found on PATH; returns its trimmed stdout, or nil when it fails.
    static func shell(_ program: String, _ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
