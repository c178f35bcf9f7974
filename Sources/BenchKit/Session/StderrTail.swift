// A child's stderr, collected while it runs: echoed when asked, its last line kept for the failure record.
import Foundation
import Engine
import Models

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
