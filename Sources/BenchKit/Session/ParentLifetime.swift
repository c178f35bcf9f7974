// A bench child (measure-one, or a command bench reproduce starts) never outlives its parent: the parent names
// itself in the child's environment, and the child asks the kernel (PR_SET_PDEATHSIG) for SIGKILL when that parent
// dies, whichever signal reaches the parent alone (a scheduler's SIGTERM, a CI timeout's SIGKILL). A measurement
// nobody will read is not left running to its end.
import Foundation
import CProcessControl
#if canImport(Glibc)
import Glibc
#endif

public enum ParentLifetime {
    /// The environment variable that carries the parent's process id to its child.
    public static let variable = "REVBENCH_PARENT_PID"

    /// The environment for a child of this process: this one's, with this process named as the parent, and Swift's
    /// crash backtracer off unless the user set SWIFT_BACKTRACE: a child that traps then prints only its one
    /// `Fatal error: ...` line, which becomes the row's error, instead of a backtrace of dozens of lines on the
    /// user's terminal (set SWIFT_BACKTRACE=enable=yes to get it back when debugging).
    public static func childEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env[variable] = String(getpid())
        if env[backtraceVariable] == nil { env[backtraceVariable] = "enable=no" }
        return env
    }

    /// Swift's runtime backtracer setting.
    static let backtraceVariable = "SWIFT_BACKTRACE"

    /// In a child started by a bench parent: die with that parent. If the parent is already gone (it died between
    /// starting this process and this call), exit at once.
    public static func followParent() {
        guard let text = ProcessInfo.processInfo.environment[variable], let parent = Int32(text) else { return }
        _ = revbench_die_with_parent()
        if getppid() != parent { _exit(1) }
    }
}
