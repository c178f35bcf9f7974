// One temporary folder per test for the tests that write results files: made fresh, removed when the test ends.
import XCTest
import Foundation

extension XCTestCase {
    /// A new empty folder `revbench-<name>-<UUID>` under the system's temporary folder, removed after the test.
    func temporaryFolder(_ name: String) -> String {
        let folder = NSTemporaryDirectory() + "revbench-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }
}
