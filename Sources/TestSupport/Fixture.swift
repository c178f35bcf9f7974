// Reads golden fixtures written by scripts/make_fixtures.py: manifest.json + data.bin (little-endian float32).
import Foundation
import Engine
import Models

/// One fixture folder under Tests/Fixtures.
public struct Fixture {
    public let name: String
    public let torchVersion: String
    public let config: [String: Any]
    private let entries: [String: (shape: [Int], offset: Int, count: Int)]
    private let data: [Float]

    /// Tests/Fixtures, found from this source file's location (tests never need Python or resources).
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures")
    }

    public init(_ name: String) throws {
        self.name = name
        let folder = Fixture.directory.appendingPathComponent(name)
        let manifestData = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        guard let manifest = try JSONSerialization.jsonObject(with: manifestData) as? [String: Any],
              let tensors = manifest["tensors"] as? [String: [String: Any]] else {
            throw FixtureError.malformed(name)
        }
        torchVersion = manifest["torch_version"] as? String ?? "?"
        config = manifest["config"] as? [String: Any] ?? [:]
        var e: [String: (shape: [Int], offset: Int, count: Int)] = [:]
        for (key, v) in tensors {
            e[key] = ((v["shape"] as? [Int]) ?? [], v["offset"] as? Int ?? 0, v["count"] as? Int ?? 0)
        }
        entries = e
        let raw = try Data(contentsOf: folder.appendingPathComponent("data.bin"))
        var floats = [Float](repeating: 0, count: raw.count / 4)
        _ = floats.withUnsafeMutableBytes { raw.copyBytes(to: $0) }
        data = floats.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    }

    public var names: [String] { Array(entries.keys).sorted() }

    public func has(_ key: String) -> Bool { entries[key] != nil }

    public func shape(_ key: String) throws -> [Int] {
        guard let e = entries[key] else { throw FixtureError.missing(name, key) }
        return e.shape
    }

    public func values(_ key: String) throws -> [Float] {
        guard let e = entries[key] else { throw FixtureError.missing(name, key) }
        return Array(data[e.offset..<(e.offset + e.count)])
    }

    public func tensor(_ key: String, category: MemoryCategory = .activation) throws -> Tensor {
        let s = try shape(key)
        return Tensor(s.isEmpty ? [1] : s, values: try values(key), category: category)
    }

    public func int(_ key: String) -> Int { config[key] as? Int ?? 0 }

    /// Copies `param.<name>` into each parameter's value, by name. Throws if a parameter has no entry.
    public func load(into parameters: [Parameter]) throws {
        for p in parameters {
            let v = try values("param." + p.name)
            precondition(v.count == p.count, "fixture \(p.name) has \(v.count) values, parameter has \(p.count)")
            for i in 0..<v.count { p.value[i] = v[i] }
        }
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case malformed(String), missing(String, String)
    public var description: String {
        switch self {
        case .malformed(let f): return "fixture \(f): manifest.json is malformed"
        case .missing(let f, let k): return "fixture \(f): no tensor named \(k)"
        }
    }
}
