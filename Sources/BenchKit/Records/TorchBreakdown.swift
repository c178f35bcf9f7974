// What the PyTorch twin saves for backward at the end of forward (`revbench_torch breakdown`), per block and per
// block module, as scripts/make_breakdown_fixtures.py writes it: the reference bench profile's figures are compared
// with, like with like.
import Foundation

/// PyTorch's saved-for-backward bytes of one model at one batch size.
public struct TorchBreakdown: Codable, Sendable {
    /// One labelled amount: "block 3", "block 3 · attn", "head"; `int64Bytes` of it are int64 tensors (max-pool
    /// indices, where the engine keeps a float32 argmax, and the labels), 0 when the file has none.
    public struct Entry: Codable, Sendable, Equatable {
        public var label: String
        public var bytes: Int
        public var int64Bytes: Int = 0

        enum CodingKeys: String, CodingKey { case label, bytes, int64Bytes = "int64_bytes" }

        public init(label: String, bytes: Int, int64Bytes: Int = 0) {
            self.label = label; self.bytes = bytes; self.int64Bytes = int64Bytes
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            label = try c.decode(String.self, forKey: .label)
            bytes = try c.decode(Int.self, forKey: .bytes)
            int64Bytes = try c.decodeIfPresent(Int.self, forKey: .int64Bytes) ?? 0
        }
    }

    public var torchVersion: String
    public var model: String
    public var batch: Int
    public var attention: String
    public var byBlock: [Entry]
    public var byModule: [Entry]

    enum CodingKeys: String, CodingKey {
        case torchVersion = "torch_version", model, batch, attention, byBlock = "by_block", byModule = "by_module"
    }

    /// The breakdown in the JSON file at `path`.
    public static func read(_ path: String) throws -> TorchBreakdown {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read '\(path)'") }
        do { return try JSONDecoder().decode(TorchBreakdown.self, from: data) }
        catch { throw BenchError("'\(path)' is not a breakdown from scripts/make_breakdown_fixtures.py: \(Self.reason(error))") }
    }

    /// What is wrong with the file, in words (a DecodingError's own description names Swift's coding keys).
    static func reason(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the top level" : "'" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "it lacks '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\(path(context.codingPath)) has the wrong type or is null"
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "it is not valid JSON" : "\(path(context.codingPath)) is malformed"
        default:
            return "\(error)"
        }
    }
}
