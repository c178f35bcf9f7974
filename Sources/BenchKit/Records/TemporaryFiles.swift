// Temporary files that must not outlive an interrupted command: the temporary of a results file being replaced and
// bench check's scratch CSV. On SIGINT, SIGTERM or SIGHUP they are removed before the process dies of the signal.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Registered temporary paths, removed by a signal handler on SIGINT, SIGTERM and SIGHUP.
public enum TemporaryFiles {
    static let capacity = 32
    /// The paths as C strings in fixed slots (nil: free): the handler reads plain memory and calls only unlink.
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    static let lock = NSLock()
    nonisolated(unsafe) static var installed = false

    /// Removes `path` if the process is interrupted before `unregister(path)`.
    public static func register(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        _ = slots
        if !installed {
            for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, removeTemporariesAndDie) }
            installed = true
        }
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            return
        }
    }

    /// Forgets `path` (it was renamed into place, or removed).
    public static func unregister(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        for i in 0..<capacity {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
            }
        }
    }

    /// Whether `path` is registered (for tests).
    static func isRegistered(_ path: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return (0..<capacity).contains { i in slots[i].map { String(cString: $0) == path } ?? false }
    }
}

/// The signal handler: removes every registered temporary, then dies of the same signal (default action), so the
/// exit status still says which signal ended the command.
private func removeTemporariesAndDie(_ sig: Int32) {
    let slots = TemporaryFiles.slots
    for i in 0..<TemporaryFiles.capacity {
        if let p = slots[i] { unlink(p) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
