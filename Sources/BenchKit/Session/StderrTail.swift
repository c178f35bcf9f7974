// A child's stderr, collected while it runs: echoed when asked, the line saying why it failed kept for the
// failure record.
import Foundation
import Engine
import Models

/// Collects a child's stderr, echoing it when asked, and finds the line that says why it failed.
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

    /// The line that says why the child failed: its last `Fatal error:` line (a trap's message, which a backtrace
    /// may follow), otherwise its last non-empty line.
    var failureLine: String { Self.failureLine(in: { lock.lock(); defer { lock.unlock() }; return buffer }()) }

    static func failureLine(in text: String) -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.last(where: { $0.contains(fatalErrorMark) }) ?? lines.last ?? ""
    }

    /// What the Swift runtime writes before a trap's message.
    static let fatalErrorMark = "Fatal error: "
}
