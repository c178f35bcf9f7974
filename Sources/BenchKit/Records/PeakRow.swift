// One row of peak.csv (bench profile): the bytes one scope holds in one category at the variant's peak. A
// variant's rows sum to the ledger's peak for the step, byte for byte.
import Foundation

/// Bytes held by one scope and category at one variant's peak.
public struct PeakRow: CSVRecord, Sendable, Equatable {
    /// The configuration profiled: preset (standard-side name), depth, batch.
    public var model: String
    public var depth: Int
    public var batch: Int
    public var variant: String
    /// stem, block, head, loss, optimizer, input (the batch).
    public var region: String
    /// The block index; nil (empty) outside blocks.
    public var block: Int?
    /// Layer path inside the region (PyTorch's module path), e.g. "attn.qkv"; nil (empty) for what a block itself
    /// allocates (its residual sums, output, streams).
    public var layer: String?
    /// What the tensor is, e.g. "probabilities", "output", "weights".
    public var role: String
    /// "block 3 · attn.qkv · output".
    public var scope: String
    public var category: String
    public var bytes: Int

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case model, depth, batch, variant, region, block, layer, role, scope, category, bytes
    }
    public static let columns = CodingKeys.allCases.map(\.rawValue)
}
