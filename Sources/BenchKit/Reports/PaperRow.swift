// One row of the paper's Table 1, the figures tables compare measured rows with.
import Models

/// The paper's Table 1 figures of one model.
public struct PaperRow: Sendable {
    public let standardMBPerImage: Double
    public let reversibleMBPerImage: Double
    public let standardMaxBatch: Int
    public let reversibleMaxBatch: Int
    public var memoryRatio: Double { standardMBPerImage / reversibleMBPerImage }
}
