// Temporary files that must not outlive an interrupted command: the temporary of a results file being replaced and
// bench check's scratch CSV. On SIGINT, SIGTERM or SIGHUP they are removed before the process dies of the signal,
// and the command's interruption note (what it kept and how to go on, set by a measuring session) is printed.
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
    /// The interruption note as one C string with its line end (nil: none). Replaced notes are never freed: the
    /// handler may be reading one on another thread, and a session sets a few short lines per configuration.
    nonisolated(unsafe) static var note: UnsafeMutablePointer<CChar>?

    /// Installs the handler on SIGINT, SIGTERM and SIGHUP (once); call with `lock` held.
    static func installHandler() {
        _ = slots
        if !installed {
            for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, removeTemporariesAndDie) }
            installed = true
        }
    }

    /// The line printed on stderr if the process is interrupted (SIGINT, SIGTERM, SIGHUP) from now on; nil prints
    /// nothing.
    public static func setInterruptionNote(_ line: String?) {
        lock.lock(); defer { lock.unlock() }
        if line != nil { installHandler() }
        note = line.map { strdup($0 + "\n") }
    }

    /// Removes `path` if the process is interrupted before `unregister(path)`.
    public static func register(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        installHandler()
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

    /// Whether `path` is registered (a temporary output's journal of rounds is temporary too; and for tests).
    static func isRegistered(_ path: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return (0..<capacity).contains { i in slots[i].map { String(cString: $0) == path } ?? false }
    }
}

/// The signal handler: prints the interruption note, removes every registered temporary, then dies of the same signal
/// (default action), so the exit status still says which signal ended the command. Only write, unlink and raise.
private func removeTemporariesAndDie(_ sig: Int32) {
    if let note = TemporaryFiles.note {
        var length = 0
        while note[length] != 0 { length += 1 }
        _ = write(2, note, length)
    }
    let slots = TemporaryFiles.slots
    for i in 0..<TemporaryFiles.capacity {
        if let p = slots[i] { unlink(p) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
