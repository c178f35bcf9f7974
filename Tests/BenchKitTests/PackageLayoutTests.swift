// The package's layout: the Benchmarks package names the root package by the folder it was cloned into, so a copy in
// a folder with another name must still describe (SwiftPM's path dependencies take their folder's name); and inside
// Models, Configuration is the bottom folder, mentioning no type declared in another Models folder.
import XCTest
import Foundation

final class PackageLayoutTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testBenchmarksPackageResolvesTheRootFromAFolderOfAnyName() throws {
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

    /// Sources/Models/Configuration (pure functions of a configuration) depends on no other Models folder: no file
    /// there names, outside comments and string literals, a type declared at the top level of another Models folder.
    func testModelsConfigurationMentionsNoTypeOfAnotherModelsFolder() throws {
        let models = root.appendingPathComponent("Sources/Models")
        let configuration = models.appendingPathComponent("Configuration")
        var foreign: Set<String> = []
        for file in try swiftFiles(under: models) where !file.path.hasPrefix(configuration.path + "/") {
            foreign.formUnion(declaredTypes(in: try String(contentsOf: file, encoding: .utf8)))
        }
        // The scan sees the other folders' types, and counts a name in code but not in a comment or a string.
        XCTAssertTrue(foreign.isSuperset(of: ["MultiHeadAttention", "TransformerBlock", "BlockStack", "StandardViT",
                                              "MViT", "VisionModel", "AdamW"]), "\(foreign.sorted())")
        XCTAssertEqual(mentions(of: foreign, in: "let m = MViT(c) // a StandardViT\nlet s = \"BlockStack\" /* AdamW */"),
                       ["MViT"])
        let files = try swiftFiles(under: configuration)
        XCTAssertGreaterThan(files.count, 10)
        for file in files {
            let found = mentions(of: foreign, in: try String(contentsOf: file, encoding: .utf8))
            XCTAssertEqual(found, [], "\(file.lastPathComponent) mentions \(found.sorted()) from another Models folder")
        }
    }

    /// The Swift files in `folder` and its subfolders.
    private func swiftFiles(under folder: URL) throws -> [URL] {
        let paths = try FileManager.default.subpathsOfDirectory(atPath: folder.path)
        return paths.filter { $0.hasSuffix(".swift") }.map { folder.appendingPathComponent($0) }
    }

    /// Names of the types (struct, class, enum, protocol, actor, typealias) `source` declares at its top level.
    private func declaredTypes(in source: String) -> Set<String> {
        let declaration = try! NSRegularExpression(pattern:
            #"^(?:(?:public|internal|fileprivate|private|final|open|indirect)\s+)*(?:struct|class|enum|protocol|actor|typealias)\s+(\w+)"#,
            options: .anchorsMatchLines)
        let range = NSRange(source.startIndex..., in: source)
        return Set(declaration.matches(in: source, range: range).compactMap { Range($0.range(at: 1), in: source).map { String(source[$0]) } })
    }

    /// Which of `names` occur as identifiers in `source`'s code (comments and string literals left out).
    private func mentions(of names: Set<String>, in source: String) -> Set<String> {
        var code = "", rest = Substring(source)
        while let c = rest.first {
            if rest.hasPrefix("//") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*") {
                rest = rest.range(of: "*/").map { rest[$0.upperBound...] } ?? ""
            } else if rest.hasPrefix("\"\"\"") {
                let body = rest.dropFirst(3)
                rest = body.range(of: "\"\"\"").map { body[$0.upperBound...] } ?? ""
            } else if c == "\"" {
                var body = rest.dropFirst()
                while let d = body.first, d != "\"", d != "\n" { body = body.dropFirst(d == "\\" ? 2 : 1) }
                rest = body.dropFirst()
            } else {
                code.append(c)
                rest = rest.dropFirst()
                continue
            }
            code.append(" ")
        }
        let identifiers = code.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
        return names.intersection(identifiers)
    }
}
