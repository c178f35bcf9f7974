// Like with like: what the engine holds for backward at the end of a standard model's forward, block by block and
// module by module, beside what the PyTorch twin saves (TorchBreakdown). The engine charges a tensor to the layer
// that allocates it; PyTorch's breakdown to the first module that saves it. So each engine scope is moved to the
// module that saves it in PyTorch: a block's output to the next block's norm1 (the last one's to the head), the
// stem's output to block 0's norm1, a LayerNorm's output to the module that consumes it, x1 to norm2. Only
// activations count (PyTorch's saved parameters and the input images are left out on both sides). Where PyTorch keeps
// int64 indices (MViT's skip max pool) the engine keeps a float32 argmax of as many elements: each row is also
// compared with PyTorch's int64 bytes counted at 4, so that choice is stated, not mistaken for a difference in what
// is kept.
import Foundation
import Engine
import Models

/// The engine's end-of-forward activations regrouped under PyTorch's breakdown labels, beside PyTorch's figures.
public struct TorchComparison: Sendable {
    /// One label's engine and PyTorch bytes, and how many of PyTorch's are int64.
    public struct Row: Sendable, Equatable {
        public var label: String
        public var engine: Int
        public var torch: Int
        public var torchInt64: Int = 0
        /// PyTorch's bytes with its int64 tensors counted at 4 bytes per element, as the engine's float32 argmax.
        public var torchInt64AtFourBytes: Int { torch - torchInt64 / 2 }
        /// (engine - torch) / torch; 0 when both are 0.
        public var relativeDifference: Double { Self.relative(engine, torch) }
        /// The same against `torchInt64AtFourBytes`.
        public var relativeDifferenceInt64AtFourBytes: Double { Self.relative(engine, torchInt64AtFourBytes) }

        static func relative(_ engine: Int, _ torch: Int) -> Double {
            torch == 0 ? (engine == 0 ? 0 : .infinity) : Double(engine - torch) / Double(torch)
        }
    }

    public let byBlock: [Row]
    public let byModule: [Row]

    /// Compares `endOfForward` (the standard variant's rows of end_of_forward.csv) of a model of `family` and
    /// `depth` with `torch`.
    public init(endOfForward: [PeakRow], family: ModelFamily, depth: Int, torch: TorchBreakdown) {
        var module: [String: Int] = [:], block: [String: Int] = [:]
        for r in endOfForward where r.category == MemoryCategory.activation.description {
            guard let label = Self.torchLabel(r, family: family, depth: depth) else { continue }
            module[label, default: 0] += r.bytes
            block[Self.blockLabel(label), default: 0] += r.bytes
        }
        func rows(_ engine: [String: Int], _ reference: [TorchBreakdown.Entry]) -> [Row] {
            var out = reference.map { Row(label: $0.label, engine: engine[$0.label] ?? 0, torch: $0.bytes, torchInt64: $0.int64Bytes) }
            for (label, bytes) in engine where !reference.contains(where: { $0.label == label }) {
                out.append(Row(label: label, engine: bytes, torch: 0))
            }
            return out
        }
        byBlock = rows(block, torch.byBlock)
        byModule = rows(module, torch.byModule)
    }

    /// "block 3 · attn" -> "block 3".
    static func blockLabel(_ label: String) -> String {
        label.components(separatedBy: " · ").first ?? label
    }

    /// The PyTorch breakdown label (by module) that saves what `r` holds; nil for what PyTorch does not count (the
    /// input batch).
    static func torchLabel(_ r: PeakRow, family: ModelFamily, depth: Int) -> String? {
        switch r.region {
        case ScopeRegion.input.rawValue: return nil
        case ScopeRegion.stem.rawValue:
            return r.layer == "pos_embed" && r.role == "output" ? "block 0 · norm1" : "stem"
        case ScopeRegion.block.rawValue: break
        default: return "head"
        }
        let i = r.block ?? 0, layer = r.layer ?? ""
        // What the block's own code saves in PyTorch's MViT (its MLP is called as functions, not as a module).
        let blockItself = family == .mvit ? "block \(i)" : "block \(i) · mlp"
        switch (layer, r.role) {
        case ("", "output"): return i + 1 < depth ? "block \(i + 1) · norm1" : "head"
        case ("", "residual x1"), ("norm2", "mean, rstd"): return "block \(i) · norm2"
        case ("norm1", "mean, rstd"): return "block \(i) · norm1"
        case ("norm1", _): return "block \(i) · attn"
        case ("norm2", _): return blockItself
        default:
            if layer.hasPrefix("attn") { return "block \(i) · attn" }
            return layer.hasPrefix("mlp") ? blockItself : "block \(i)"
        }
    }

    /// A Markdown table: label, engine MB, PyTorch MB, difference, and the difference with PyTorch's int64 tensors
    /// counted at 4 bytes per element.
    public static func markdown(_ rows: [Row], batch: Int) -> String {
        var lines = ["| where | engine MB/img | PyTorch MB/img | engine - PyTorch | engine - PyTorch, its int64 as 4 B |",
                     "|---|---:|---:|---:|---:|"]
        func line(_ r: Row) -> String {
            let diff = r.torch == 0 ? "" : String(format: "%+.2f%%", r.relativeDifference * 100)
            let diff4 = r.torch == 0 ? "" : String(format: "%+.2f%%", r.relativeDifferenceInt64AtFourBytes * 100)
            return "| \(r.label) | \(String(format: "%.2f", Double(r.engine) / Double(batch) / 1e6)) | "
                + "\(String(format: "%.2f", Double(r.torch) / Double(batch) / 1e6)) | \(diff) | \(diff4) |"
        }
        lines += rows.map(line)
        var total = Row(label: "total", engine: 0, torch: 0)
        for r in rows { total.engine += r.engine; total.torch += r.torch; total.torchInt64 += r.torchInt64 }
        lines.append(line(total))
        return lines.joined(separator: "\n")
    }
}
