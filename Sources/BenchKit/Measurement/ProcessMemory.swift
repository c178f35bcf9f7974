// The OS view of memory: this process's RSS high-water mark and the memory available to it: the machine's, or less
// where its cgroup (a Slurm job's --mem, a container's -m) has a limit.
import Foundation

public enum ProcessMemory {
    /// VmHWM of this process in bytes (peak resident set size), or nil off Linux.
    public static func peakResidentBytes() -> Int? { statusField("/proc/self/status", "VmHWM:") }

    /// Fraction of the available memory a predicted peak may use before a command refuses to run it (without --force).
    public static let headroom = 0.9

    /// The memory this process may still use, in bytes: the machine's MemAvailable, or what is left under its
    /// cgroup's limit where that is less; nil off Linux.
    public static func availableBytes() -> Int? {
        let machine = statusField("/proc/meminfo", "MemAvailable:")
        guard let group = cgroupAvailableBytes() else { return machine }
        return min(machine ?? group, group)
    }

    /// The limit of this process's memory cgroup less what the group uses, not counting the inactive file cache the
    /// kernel reclaims before it would kill (as `docker stats` does); nil without a limit. cgroup v2
    /// (memory.max, memory.current) and v1 (memory.limit_in_bytes, memory.usage_in_bytes); the tightest over the
    /// group's folder and every folder above it to the mount's root (inside a container the root is the group).
    static func cgroupAvailableBytes(root: String = "/", membership: String = "/proc/self/cgroup") -> Int? {
        guard let lines = try? String(contentsOfFile: root + membership, encoding: .utf8) else { return nil }
        let noLimit = 1 << 62
        func number(_ path: String) -> Int? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        func inactiveFile(_ folder: String, key: String) -> Int {
            guard let text = try? String(contentsOfFile: folder + "/memory.stat", encoding: .utf8) else { return 0 }
            for line in text.split(separator: "\n") where line.hasPrefix(key + " ") { return Int(line.dropFirst(key.count + 1)) ?? 0 }
            return 0
        }
        var best: Int?
        for line in lines.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let (controllers, path) = (parts[1], String(parts[2]))
            let candidates: [(mounts: [String], limit: String, usage: String, inactive: String)]
            if controllers.isEmpty {
                candidates = [(["sys/fs/cgroup", "sys/fs/cgroup/unified"], "memory.max", "memory.current", "inactive_file")]
            } else if controllers.split(separator: ",").contains("memory") {
                candidates = [(["sys/fs/cgroup/memory"], "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")]
            } else { continue }
            for c in candidates {
                for mount in c.mounts {
                    // The group and every group above it up to the mount's root: a limit anywhere on the way binds
                    // (a Slurm job's --mem sits on the job's group, above its step and task groups).
                    var levels: [String] = []
                    var folder = path
                    while true {
                        levels.append(root + mount + (folder == "/" ? "" : folder))
                        if folder == "/" || folder.isEmpty { break }
                        folder = (folder as NSString).deletingLastPathComponent
                    }
                    for level in levels {
                        guard let limit = number(level + "/" + c.limit), limit < noLimit,
                              let usage = number(level + "/" + c.usage) else { continue }
                        let left = max(0, limit - usage + inactiveFile(level, key: c.inactive))
                        best = min(best ?? left, left)
                    }
                }
            }
        }
        return best
    }

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
