// The Benchmarks package names the root package by the folder it was cloned into: a copy in a folder with another
// name must still describe (SwiftPM's path dependencies take their folder's name).
import XCTest
import Foundation

final class PackageLayoutTests: XCTestCase {
    func testBenchmarksPackageResolvesTheRootFromAFolderOfAnyName() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("revbench-layout-\(UUID().uuidString)/Renamed-Clone")
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: copy.appendingPathComponent("Benchmarks"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("Package.swift"), to: copy.appendingPathComponent("Package.swift"))
        for item in ["Package.swift", "Benchmarks"] {
            try FileManager.default.copyItem(at: root.appendingPathComponent("Benchmarks/\(item)"),
                                             to: copy.appendingPathComponent("Benchmarks/\(item)"))
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "package", "describe"]
        p.currentDirectoryURL = copy.appendingPathComponent("Benchmarks")
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("renamed-clone"), "the root package's identity is its folder's name: \(text)")
    }
}
