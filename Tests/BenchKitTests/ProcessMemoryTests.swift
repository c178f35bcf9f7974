// The memory a run may use: under a cgroup limit (a Slurm job's --mem, a container's -m) it is what the limit
// leaves, not the machine's MemAvailable; read from fake /proc and /sys trees of cgroup v2 and v1.
import XCTest
import Foundation
@testable import BenchKit

final class ProcessMemoryTests: XCTestCase {
    /// Writes `files` (path under the root -> contents) and returns the root, ending in "/".
    func tree(_ files: [String: String]) throws -> String {
        let root = temporaryFolder("cgroup") + "/"
        for (path, text) in files {
            let full = root + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return root
    }

    func testALimitedGroupLeavesItsLimitLessItsUseButForReclaimableCache() throws {
        let gib = 1 << 30
        let v2 = try tree(["proc/self/cgroup": "0::/job\n", "sys/fs/cgroup/job/memory.max": "\(4 * gib)\n",
                           "sys/fs/cgroup/job/memory.current": "\(gib)\n",
                           "sys/fs/cgroup/job/memory.stat": "anon 1\ninactive_file \(gib / 2)\n"])
        XCTAssertEqual(ProcessMemory.cgroupAvailableBytes(root: v2), 4 * gib - gib + gib / 2)
        let v1 = try tree(["proc/self/cgroup": "5:cpu,cpuacct:/\n4:memory:/slurm/job1\n0::/\n",
                           "sys/fs/cgroup/memory/slurm/job1/memory.limit_in_bytes": "\(2 * gib)\n",
                           "sys/fs/cgroup/memory/slurm/job1/memory.usage_in_bytes": "\(gib / 2)\n"])
        XCTAssertEqual(ProcessMemory.cgroupAvailableBytes(root: v1), 2 * gib - gib / 2)
        // A Slurm job's limit sits above its step and task groups, which read "max".
        let slurm = try tree(["proc/self/cgroup": "0::/slurm/job_7/step_0/task_0\n",
                              "sys/fs/cgroup/slurm/job_7/step_0/task_0/memory.max": "max\n",
                              "sys/fs/cgroup/slurm/job_7/step_0/task_0/memory.current": "\(gib)\n",
                              "sys/fs/cgroup/slurm/job_7/memory.max": "\(3 * gib)\n",
                              "sys/fs/cgroup/slurm/job_7/memory.current": "\(gib)\n"])
        XCTAssertEqual(ProcessMemory.cgroupAvailableBytes(root: slurm), 2 * gib)
        // Inside a container the group's path is not visible: the mount's root is the group.
        let container = try tree(["proc/self/cgroup": "0::/docker/abc\n", "sys/fs/cgroup/memory.max": "\(gib)\n",
                                  "sys/fs/cgroup/memory.current": "0\n"])
        XCTAssertEqual(ProcessMemory.cgroupAvailableBytes(root: container), gib)
    }

    func testNoLimitLeavesTheMachinesFigure() throws {
        let unlimitedV1 = try tree(["proc/self/cgroup": "4:memory:/x\n",
                                    "sys/fs/cgroup/memory/x/memory.limit_in_bytes": "9223372036854771712\n",
                                    "sys/fs/cgroup/memory/x/memory.usage_in_bytes": "1000\n"])
        XCTAssertNil(ProcessMemory.cgroupAvailableBytes(root: unlimitedV1))
        let unlimitedV2 = try tree(["proc/self/cgroup": "0::/x\n", "sys/fs/cgroup/x/memory.max": "max\n",
                                    "sys/fs/cgroup/x/memory.current": "1000\n"])
        XCTAssertNil(ProcessMemory.cgroupAvailableBytes(root: unlimitedV2))
        XCTAssertNil(ProcessMemory.cgroupAvailableBytes(root: try tree([:])))
        XCTAssertNotNil(ProcessMemory.availableBytes(), "this machine's figure")
    }
}
