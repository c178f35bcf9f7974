// Which commit of RevBench a running bench comes from: the commit checked out in the git checkout its executable lies
// in, found from the executable's path (`.build/<config>/bench`, a symlinked `.build` or a custom --scratch-path inside
// the checkout), never the working directory's repository, which may be any project's or none. It is read when bench
// runs: `swift run` rebuilds first, so it is the commit built, unless the checkout moved after a plain build.
import Foundation

extension EnvironmentInfo {
    /// The folders to climb from when looking for the checkout: the executable's path as it was started (keeps a
    /// symlinked `.build` inside the checkout) and as the kernel resolved it (bench started through PATH).
    static var executablePaths: [String] {
        var paths: [String] = []
        let started = CommandLine.arguments.first ?? ""
        if started.contains("/") {
            let absolute = started.hasPrefix("/") ? started : FileManager.default.currentDirectoryPath + "/" + started
            paths.append((absolute as NSString).standardizingPath)
        }
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { paths.append(resolved) }
        return paths
    }

    /// The nearest folder above one of `executables` that holds RevBench's Package.swift and a `.git` (a folder, or
    /// the file a worktree has); nil when the executable lies in no RevBench checkout (an installed copy).
    static func checkoutRoot(executables: [String]) -> String? {
        for executable in executables {
            var folder = (executable as NSString).deletingLastPathComponent
            while !folder.isEmpty {
                if isRevBenchCheckout(folder) { return folder }
                if folder == "/" { break }
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        return nil
    }

    /// Whether `folder` is the root of a RevBench checkout: its Package.swift names the RevBench package and a
    /// `.git` lies beside it.
    static func isRevBenchCheckout(_ folder: String) -> Bool {
        let manifest = (folder as NSString).appendingPathComponent("Package.swift")
        guard FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(".git")),
              let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { return false }
        return text.contains(#"name: "RevBench""#)
    }

    /// The paths whose uncommitted changes make a build differ from its commit: the code and the manifest (not
    /// results/, which bench itself appends to while it runs).
    static let sourcePaths = ["Sources", "Package.swift"]

    /// The commit of the checkout at `root` (`git rev-parse --short=12 HEAD`), with `-dirty` when its sources have
    /// uncommitted changes or untracked files; "unknown" without a checkout or when git fails there.
    static func checkoutCommit(_ root: String?) -> String {
        guard let root, let sha = shell("git", ["-C", root, "rev-parse", "--short=12", "HEAD"]), !sha.isEmpty else {
            return "unknown"
        }
        let changes = shell("git", ["-C", root, "status", "--porcelain", "--"] + sourcePaths) ?? ""
        return changes.isEmpty ? sha : sha + "-dirty"
    }
}
