// One row of `bench stability`: how exact reversible backprop is for one model depth at one training step. Its
// coding keys are the stability CSV's columns (results/README.md); per-block figures are `;`-separated lists in
// block order (reversible blocks only, for Rev-MViT).
import Models

public struct StabilityRecord: Codable, Sendable, Equatable, CSVRecord {
    public var timestamp: String?
    public var gitSHA: String?
    public var model: String
    public var depth: Int
    public var width: Int?
    public var heads: Int?
    public var imageSize: Int?
    public var patchSize: Int?
    public var batch: Int?
    public var learningRate: Double?
    public var dropPath: Double?
    public var seed: UInt64?
    /// Training steps taken before this measurement (0: the initial weights).
    public var step: Int
    /// Loss of the probe batch with the reversible (recompute) backward and with store-everything backprop.
    public var lossRecompute: Float?
    public var lossStore: Float?
    /// ||g_recompute - g_store|| / ||g_store|| over all parameters.
    public var gradRelativeError: Double?
    /// The same per parameter tensor (denominator floored at 1e-3 of the largest tensor norm), its worst, and which.
    public var gradRelativeErrorWorst: Double?
    public var worstParameter: String?
    /// Over blocks: the largest max |X_rec - X| / RMS(X), the largest RMS(X_rec - X) / RMS(X), the largest |X|.
    public var reconstructionMaxRelative: Double?
    public var reconstructionRMSRelative: Double?
    public var largestActivation: Double?
    /// The same per block, in block order.
    public var blockReconstructionMaxRelative: String?
    public var blockReconstructionRMSRelative: String?
    public var blockLargestActivation: String?
    public var build: String?
    public var cpu: String?
    public var cores: Int?
    public var blas: String?
    public var swiftVersion: String?
    public var error: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case timestamp, gitSHA = "git_sha", model, depth, width, heads, imageSize = "image_size", patchSize = "patch_size"
        case batch, learningRate = "learning_rate", dropPath = "drop_path", seed, step
        case lossRecompute = "loss_recompute", lossStore = "loss_store", gradRelativeError = "grad_rel_error"
        case gradRelativeErrorWorst = "grad_rel_error_worst", worstParameter = "worst_parameter"
        case reconstructionMaxRelative = "recon_max_rel", reconstructionRMSRelative = "recon_rms_rel"
        case largestActivation = "largest_activation", blockReconstructionMaxRelative = "block_recon_max_rel"
        case blockReconstructionRMSRelative = "block_recon_rms_rel", blockLargestActivation = "block_largest_activation"
        case build, cpu, cores, blas, swiftVersion = "swift_version", error
    }

    public static let columns = CodingKeys.allCases.map(\.rawValue)

    /// Columns a file must have to be read as stability rows.
    public static let requiredColumns = [CodingKeys.model, .depth, .step].map(\.rawValue)

    public init(model: String, depth: Int, step: Int) {
        self.model = model; self.depth = depth; self.step = step
    }

    /// A per-block list as the CSV stores it.
    public static func list(_ values: [Double]) -> String { CSV.list(values, format: "%.3e") }

    /// A per-block list read back.
    public static func values(_ list: String?) -> [Double] { CSV.numbers(list) }
}
