// What the parent asks a child process to measure: one variant of one resolved configuration at one batch size. It
// travels to the child as one JSON value, configuration included, and the child's record is built from it
// (`RunRecord(request:measurement:)`), so nothing is resolved twice.
import Engine
import Models

public struct RunRequest: Codable, Sendable, Equatable {
    /// The model, resolved and validated once in the parent (`Presets.configuration`).
    public var configuration: ModelConfiguration
    public var variant: Variant
    public var batch: Int
    public var steps: Int
    public var warmup: Int
    public var threads: Int
    public var seed: UInt64

    public init(_ configuration: ModelConfiguration, variant: Variant, batch: Int, steps: Int = 3, warmup: Int = 1,
                threads: Int = System.coreCount, seed: UInt64 = 0) {
        self.configuration = configuration; self.variant = variant; self.batch = batch
        self.steps = steps; self.warmup = warmup; self.threads = threads; self.seed = seed
    }

    /// The standard-side preset name of the pair (what rows record as `model`).
    public var model: String { configuration.model }

    /// The configuration's parameter count and predicted peak at the request's threads (the child's attention
    /// lanes), computed arithmetically (no model is built); an absurd size is a ConfigError, not a trap or an
    /// out-of-memory kill.
    public func checkedSize() throws -> CheckedSize {
        try SizeCheck.check(configuration, variant: variant, batch: batch, workers: threads)
    }

    /// Predicted work of the whole run (MACs x batch x passes x steps), the unit of progress and ETA. In floating
    /// point: --steps and --batch multiply, and only the MAC count itself needs to be exact.
    public func predictedWork() throws -> Double {
        _ = try checkedSize()
        return Double(configuration.macsPerImage(variant)) * Double(batch) * Double(variant.passesPerStep) * Double(steps + warmup)
    }

    /// A record for a request that produced no measurement.
    public func failure(_ message: String) -> RunRecord {
        var r = RunRecord(request: self)
        r.error = message
        return r
    }
}
