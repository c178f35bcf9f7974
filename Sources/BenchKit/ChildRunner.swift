// Runs each configuration in a fresh child process of bench, so no run's heap, caches or fragmentation affect
// another. The child prints one marked JSON line with its row; a child that crashes or is killed becomes a row
// with its error.
import Foundation
import Models

public enum ChildRunner {
    /// Marks the stdout line that carries the child's row.
    public static let rowMarker = "REVBENCH_ROW\t"
    /// The hidden subcommand the child runs.
    public static let subcommand = "measure-one"

    /// Arguments that make a child measure `r`.
    public static func arguments(_ r: RunRequest) -> [String] {
        var a = [subcommand, "--model", r.model, "--variant", r.variant.rawValue, "--batch", "\(r.batch)",
                 "--steps", "\(r.steps)", "--warmup", "\(r.warmup)", "--threads", "\(r.threads)", "--seed", "\(r.seed)"]
        let o = r.overrides
        if let v = o.depth { a += ["--depth", "\(v)"] }
        if let v = o.width { a += ["--width", "\(v)"] }
        if let v = o.heads { a += ["--heads", "\(v)"] }
        if let v = o.imageSize { a += ["--image-size", "\(v)"] }
        if let v = o.patchSize { a += ["--patch-size", "\(v)"] }
        if let v = o.classes { a += ["--classes", "\(v)"] }
        if let v = o.dropPath { a += ["--drop-path", "\(v)"] }
        return a
    }

    /// The child's side: measures and prints the marked row.
    public static func childMain(_ r: RunRequest, quiet: Bool) throws {
        let row = try StepRunner.measure(r, log: quiet ? nil : { line in
            FileHandle.standardError.write(Data("    \(line)\n".utf8))
        })
        let json = try JSONSerialization.data(withJSONObject: row.fields, options: [.sortedKeys])
        print(rowMarker + String(decoding: json, as: UTF8.self))
        fflush(stdout)
    }

    /// The path of the running executable.
    public static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs `r` in a child process of `executable`; returns its row, or a row naming the failure.
    /// The child's step log goes to stderr unless `quiet`.
    public static func run(_ r: RunRequest, executable: String = executablePath, quiet: Bool) -> ResultRow {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments(r) + (quiet ? ["--quiet"] : [])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let collected = StderrTail(echo: !quiet)
        err.fileHandleForReading.readabilityHandler = { h in collected.add(h.availableData) }
        do { try p.run() } catch {
            return failureRow(r, "could not start child process: \(error.localizedDescription)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        collected.add(err.fileHandleForReading.readDataToEndOfFile())
        let text = String(decoding: data, as: UTF8.self)
        if p.terminationReason == .exit, p.terminationStatus == 0,
           let line = text.split(separator: "\n").last(where: { $0.hasPrefix(rowMarker) }),
           let obj = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(rowMarker.count).utf8)) as? [String: String] {
            return ResultRow(obj)
        }
        let how = p.terminationReason == .uncaughtSignal ? "killed by signal \(p.terminationStatus)"
                                                          : "exited with status \(p.terminationStatus)"
        let tail = collected.lastLine
        return failureRow(r, "child process \(how)" + (tail.isEmpty ? "" : ": \(tail)"))
    }

    /// A row for a configuration that produced no measurement.
    public static func failureRow(_ r: RunRequest, _ message: String) -> ResultRow {
        var row = ResultRow()
        row["model"] = r.pairName
        row["variant"] = r.variant.rawValue
        row["batch"] = "\(r.batch)"
        row["threads"] = "\(r.threads)"
        row["warmup"] = "\(r.warmup)"
        row["steps"] = "\(r.steps)"
        if let c = try? r.config() {
            row["depth"] = "\(c.depth)"; row["width"] = "\(c.width)"; row["heads"] = "\(c.heads)"
            row["image_size"] = "\(c.imageSize)"; row["patch_size"] = "\(c.patchSize)"
            row["tokens"] = "\(c.tokens(r.variant))"
        }
        row["error"] = message
        return row
    }
}

/// Collects a child's stderr, echoing it when asked, and remembers its last non-empty line.
final class StderrTail: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private let echo: Bool
    init(echo: Bool) { self.echo = echo }

    func add(_ data: Data) {
        guard !data.isEmpty else { return }
        if echo { FileHandle.standardError.write(data) }
        lock.lock(); defer { lock.unlock() }
        buffer += String(decoding: data, as: UTF8.self)
        if buffer.count > 8192 { buffer = String(buffer.suffix(4096)) }
    }

    var lastLine: String {
        lock.lock(); defer { lock.unlock() }
        return buffer.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
