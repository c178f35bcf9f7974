// What the parent asks a child process to measure: one model variant at one batch size. It travels to the child as
// one JSON value and comes back inside the child's RunRecord.
import Engine
import Models

public struct RunRequest: Codable, Sendable, Equatable {
    public var model: String
    public var overrides: ConfigOverrides
    public var variant: Variant
    public var batch: Int
    public var steps: Int
    public var warmup: Int
    public var threads: Int
    public var seed: UInt64

    public init(model: String, overrides: ConfigOverrides = ConfigOverrides(), variant: Variant, batch: Int,
                steps: Int = 3, warmup: Int = 1, threads: Int = System.coreCount, seed: UInt64 = 0) {
        self.model = model; self.overrides = overrides; self.variant = variant; self.batch = batch
        self.steps = steps; self.warmup = warmup; self.threads = threads; self.seed = seed
    }

    /// The validated configuration this request trains.
    public func config() throws -> ViTConfig {
        let c = overrides.applied(to: try Presets.named(model).config)
        try c.validate()
        return c
    }

    /// The standard-side preset name of the pair (what rows record as `model`).
    public var pairName: String { (try? Presets.named(model).pairName) ?? model }

    /// The validated configuration's parameter count and predicted peak, computed arithmetically (no model is
    /// built); an absurd size is a ConfigError, not a trap or an out-of-memory kill.
    public func checkedSize() throws -> CheckedSize {
        try SizeCheck.check(try config(), variant: variant, batch: batch)
    }

    /// Predicted work of the whole run (MACs x batch x passes x steps), the unit of progress and ETA. In floating
    /// point: --steps and --batch multiply, and only the MAC count itself needs to be exact.
    public func predictedWork() throws -> Double {
        _ = try checkedSize()
        return Double(try config().macsPerImage(variant)) * Double(batch) * Double(variant.passesPerStep) * Double(steps + warmup)
    }

    /// The record of this request before anything is measured: its configuration, without results.
    public func record() -> RunRecord {
        var r = RunRecord(model: pairName, variant: variant)
        r.device = RunConfiguration.cpu
        r.engine = RunConfiguration.revbench
        r.precision = RunConfiguration.fp32
        r.batch = batch; r.threads = threads; r.warmup = warmup; r.steps = steps
        if let c = try? config() {
            r.depth = c.depth; r.width = c.width; r.heads = c.heads
            r.imageSize = c.imageSize; r.patchSize = c.patchSize; r.tokens = c.tokens(variant)
            if c.family == .mvit { r.transitions = c.transitions.rawValue }
            r.attention = c.attention.rawValue
        }
        return r
    }

    /// A record for a request that produced no measurement.
    public func failure(_ message: String) -> RunRecord {
        var r = record()
        r.error = message
        return r
    }
}
