// The OS view of memory: this process's RSS high-water mark and the machine's available memory.
import Foundation

public enum ProcessMemory {
    /// VmHWM of this process in bytes (peak resident set size), or nil off Linux.
    public static func peakResidentBytes() -> Int? { statusField("/proc/self/status", "VmHWM:") }

    /// Fraction of MemAvailable a predicted peak may use before a command refuses to run it (without --force).
    public static let headroom = 0.9

    /// MemAvailable of the machine in bytes, or nil off Linux.
    public static func availableBytes() -> Int? { statusField("/proc/meminfo", "MemAvailable:") }

    /// A "Name:   1234 kB" field in bytes.
    static func statusField(_ path: String, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kb = Int(fields[1]) { return kb * 1024 }
        }
        return nil
    }
}
