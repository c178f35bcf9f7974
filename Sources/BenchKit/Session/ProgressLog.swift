// The session's one voice on stderr: notes (silenced by --quiet), warnings (always), and the progress line that
// starts each measurement ("[3/12] model variant depth D batch B, round 2/3, ETA 4m").
import Foundation

/// Writes a session's notes, warnings and progress lines to stderr.
public struct ProgressLog {
    public var quiet: Bool
    /// When the measuring began: the origin of the ETA.
    private var start = Date()

    public init(quiet: Bool) { self.quiet = quiet }

    /// A line of information, unless quiet.
    public func note(_ s: String) { if !quiet { Self.write(s) } }

    /// A warning, even when quiet.
    public func warn(_ s: String) { Self.write("warning: " + s) }

    /// Restarts the ETA clock (when the first measurement begins).
    public mutating func startClock() { start = Date() }

    /// Seconds since the clock started.
    public var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    /// The line before measurement `count` of `total`: `label`, the round when there are several, and the ETA from
    /// the predicted work done so far (`done` of `totalWork`) when some is done.
    public func progress(_ count: Int, of total: Int, _ label: String, round: Int, rounds: Int, done: Double, totalWork: Double) {
        var line = "[\(count)/\(total)] \(label)"
        if rounds > 1 { line += ", round \(round + 1)/\(rounds)" }
        if done > 0 { line += ", ETA \(Format.duration(elapsed / done * max(0, totalWork - done)))" }
        note(line)
    }

    static func write(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}
