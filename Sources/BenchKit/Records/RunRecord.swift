// One run of one variant as a typed value: the configuration it measured, what it measured, and where. Its coding
// keys are the results CSV's columns, in file order (documented in results/README.md); the child process hands it
// to the parent as JSON with the same keys, and every reader (check, table, plot, budget) decodes it from CSV.
import Models

public struct RunRecord: Codable, Sendable, Equatable {
    public var timestamp: String?
    public var gitSHA: String?
    // What was measured: the configuration (see `configuration`) and how.
    public var model: String
    public var variant: Variant
    /// "cpu" for the Swift engine's rows; the GPU's name for the PyTorch runner's CUDA rows. Absent in older files.
    public var device: String?
    /// Which engine measured: "revbench" (this Swift engine) or "pytorch VERSION" (torchrunner/). Absent: revbench.
    public var engine: String?
    /// Arithmetic of the step: "fp32" (the Swift engine, and PyTorch by default), "tf32", or "bf16-amp".
    public var precision: String?
    public var depth: Int?
    public var width: Int?
    public var heads: Int?
    public var imageSize: Int?
    public var patchSize: Int?
    /// Rev-MViT rows: "store" (the paper's code) or "recompute" for the stage transitions. Absent: store.
    public var transitions: String?
    /// ViT rows: "math" (the probabilities kept) or "fused" (the memory-efficient core). Absent: math.
    public var attention: String?
    /// Classes of the head (--classes). Absent in older files: the preset's.
    public var classes: Int?
    /// Stochastic depth rate of the last block (--drop-path). Absent in older files: the preset's (0).
    public var dropPath: Float?
    public var tokens: Int?
    public var batch: Int?
    public var threads: Int?
    public var params: Int?
    public var gmacsPerImage: Double?
    public var warmup: Int?
    public var steps: Int?
    // Speed.
    public var stepSecondsMedian: Double?
    public var stepSecondsMin: Double?
    public var stepSecondsMax: Double?
    public var imagesPerSecond: Double?
    public var gflopsPerSecond: Double?
    /// Rounds the configuration ran (each a fresh child per variant, variants in rotating order); 1 when absent.
    public var rounds: Int?
    /// Every timed step's seconds over all rounds, `;`-separated (the median above is over these).
    public var stepSecondsAll: String?
    /// Each round's images/s, `;`-separated in round order, and their smallest and largest.
    public var imagesPerSecondRounds: String?
    public var imagesPerSecondRoundMin: Double?
    public var imagesPerSecondRoundMax: Double?
    /// Contention evidence: CPU time / wall time / threads over the timed steps (the worst round), and the 1-minute
    /// load average when the child started (the highest round).
    public var cpuUtilization: Double?
    public var loadAverage: Double?
    /// The machine's SGEMM rate (GFLOP/s, 1576x384x1152, warmed pool, best of five medians) at the row's threads,
    /// measured by the parent before the runs: the reference for gflops_per_s.
    public var sgemmGFLOPs: Double?
    // Memory, in bytes.
    public var baselineBytes: Int?
    public var peakLedgerBytes: Int?
    public var peakLedgerActivationBytes: Int?
    public var peakJemallocBytes: Int?
    public var peakRSSBytes: Int?
    /// PyTorch on CUDA only: the caching allocator's peak reserved bytes (torch.cuda.max_memory_reserved).
    public var peakReservedBytes: Int?
    /// PyTorch on CUDA only: the caching allocator's num_alloc_retries over the timed steps (a retry frees the cache
    /// and slows the step, so such a row's images/s is not the batch's steady rate).
    public var allocRetries: Int?
    public var residentGrowthBytes: Int?
    public var stepLedgerBytes: Int?
    public var stepLedgerAllocatedBytes: Int?
    public var stepJemallocBytes: Int?
    public var bytesPerImage: Int?
    public var predictedPeakBytes: Int?
    // Budget experiments only.
    public var maxBatch: Int?
    public var memoryBudgetBytes: Int?
    public var lossFirst: Float?
    public var lossLast: Float?
    // Environment.
    public var build: String?
    public var cpu: String?
    public var cores: Int?
    public var blas: String?
    public var jemallocVersion: String?
    public var swiftVersion: String?
    /// Empty or absent for a measurement; otherwise why the configuration produced none.
    public var error: String?

    /// The CSV columns, in file order.
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case timestamp, gitSHA = "git_sha", model, variant, device, engine, precision, depth, width, heads, imageSize = "image_size"
        case patchSize = "patch_size", transitions, attention, classes, dropPath = "drop_path", tokens, batch, threads, params, gmacsPerImage = "gmacs_per_image", warmup, steps
        case stepSecondsMedian = "step_s_median", stepSecondsMin = "step_s_min", stepSecondsMax = "step_s_max"
        case imagesPerSecond = "images_per_s", gflopsPerSecond = "gflops_per_s", rounds, stepSecondsAll = "step_s_all"
        case imagesPerSecondRounds = "images_per_s_rounds", imagesPerSecondRoundMin = "images_per_s_round_min"
        case imagesPerSecondRoundMax = "images_per_s_round_max", cpuUtilization = "cpu_util", loadAverage = "load_average"
        case sgemmGFLOPs = "sgemm_gflops"
        case baselineBytes = "baseline_bytes"
        case peakLedgerBytes = "peak_ledger_bytes", peakLedgerActivationBytes = "peak_ledger_activation_bytes"
        case peakJemallocBytes = "peak_jemalloc_bytes", peakRSSBytes = "peak_rss_bytes", peakReservedBytes = "peak_reserved_bytes"
        case allocRetries = "alloc_retries"
        case residentGrowthBytes = "resident_growth_bytes", stepLedgerBytes = "step_ledger_bytes"
        case stepLedgerAllocatedBytes = "step_ledger_allocated_bytes", stepJemallocBytes = "step_jemalloc_bytes"
        case bytesPerImage = "bytes_per_image", predictedPeakBytes = "predicted_peak_bytes", maxBatch = "max_batch"
        case memoryBudgetBytes = "memory_budget_bytes", lossFirst = "loss_first", lossLast = "loss_last", build, cpu
        case cores, blas, jemallocVersion = "jemalloc_version", swiftVersion = "swift_version", error
    }

    /// Columns a file must have to be read as results (the configuration and the outcome); a column added to the
    /// schema later may be absent from an older file and decodes as nil.
    public static let requiredColumns: [CodingKeys] = [.model, .variant, .depth, .width, .heads, .imageSize, .patchSize,
                                                       .batch, .error]

    /// The columns of a row's configuration (what it measured, without the variant), in the order its description
    /// shows them: e.g. "vit_small_patch16_224 d12 w384 h6 img224/p16 attention fused classes 10 b32".
    public static let configurationColumns: [ConfigurationColumn] = [
        .name(.model) { $0.model },
        .text(.engine, absent: RunConfiguration.revbench) { $0.engine },
        .text(.device, absent: RunConfiguration.cpu) { $0.device },
        .text(.precision, absent: RunConfiguration.fp32) { $0.precision },
        .number(.depth, prefix: "d") { $0.depth },
        .number(.width, prefix: "w", unknown: "?") { $0.width },
        .number(.heads, prefix: "h", unknown: "?") { $0.heads },
        .number(.imageSize, prefix: "img", unknown: "?") { $0.imageSize },
        .number(.patchSize, prefix: "p", unknown: "?", separator: "/") { $0.patchSize },
        .text(.transitions, absent: TransitionBackprop.store.rawValue, prefix: "transitions ") { $0.transitions },
        .text(.attention, absent: AttentionKind.math.rawValue, prefix: "attention ") { $0.attention },
        .setting(.classes, prefix: "classes ", \.classes) { $0.classes },
        .setting(.dropPath, prefix: "drop_path ", \.dropPath) { $0.dropPath },
        .number(.batch, prefix: "b") { $0.batch },
        .number(.memoryBudgetBytes, prefix: "budget ", format: { Format.size(Double($0)) }) { $0.memoryBudgetBytes },
    ]

    /// The order of configurations (merged files, check reports): by these columns in turn.
    public static let configurationOrder: [CodingKeys] = [.model, .transitions, .attention, .engine, .device, .precision,
        .depth, .width, .heads, .imageSize, .patchSize, .classes, .dropPath, .memoryBudgetBytes, .batch]

    /// The `ModelConfiguration` settings no column records (a model setting's column has the setting's name in
    /// snake_case and is filled from it by `init(request:)`): the family (the model's name implies it), channels and
    /// mlp_ratio (3 and 4 in every preset, no option changes them).
    public static let unrecordedSettings: Set<String> = ["family", "channels", "mlp_ratio"]

    public init(model: String, variant: Variant) {
        self.model = model
        self.variant = variant
    }

    public var failed: Bool { !(error ?? "").isEmpty }

    /// The configuration this row measured, without the variant: what rows are compared and grouped by.
    public var configuration: RunConfiguration {
        // In a budget experiment the batch is the outcome, the budget is the configuration.
        memoryBudgetBytes == nil ? RunConfiguration(self) : RunConfiguration(self).without(.batch)
    }
}

extension Sequence where Element == RunRecord {
    /// Records grouped by configuration, groups in first-seen order.
    public func groupedByConfiguration() -> [(configuration: RunConfiguration, records: [RunRecord])] {
        var order: [RunConfiguration] = [], groups: [RunConfiguration: [RunRecord]] = [:]
        for r in self {
            let k = r.configuration
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// Records by configuration, for lookups.
    public func byConfiguration() -> [RunConfiguration: [RunRecord]] {
        Dictionary(grouping: self, by: \.configuration)
    }
}

extension Array where Element == RunRecord {
    /// The first successful record of `variant`.
    public func first(_ variant: Variant) -> RunRecord? { first { $0.variant == variant && !$0.failed } }

    /// The records without each failed one that a later successful record of the same configuration, variant and
    /// build supersedes (a child killed mid-run, measured again by --resume): the failure is history, not a
    /// missing measurement. Failures with no later success, and every successful record, stay in file order.
    public func withoutSupersededFailures() -> [RunRecord] {
        var measuredLater: [RunConfiguration: Set<String>] = [:]
        var superseded = Set<Int>()
        for (i, r) in enumerated().reversed() {
            let key = "\(r.variant.rawValue) \(r.build ?? "")"
            if !r.failed { measuredLater[r.configuration, default: []].insert(key) }
            else if measuredLater[r.configuration]?.contains(key) == true { superseded.insert(i) }
        }
        return enumerated().filter { !superseded.contains($0.offset) }.map(\.element)
    }
}

/// A results CSV column; its raw value is the header's name, which tables reuse as their column titles.
public typealias Column = RunRecord.CodingKeys
