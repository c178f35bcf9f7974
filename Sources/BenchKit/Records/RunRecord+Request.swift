// A record built from its request: the model's columns come from the one resolved configuration by name, the
// measured ones from a `StepMeasurement`. The only place a request's fields become columns.
import Foundation
import Models

extension RunRecord {
    /// The record of `request` before anything is measured: its configuration, without results.
    public init(request r: RunRequest) {
        let c = r.configuration
        self = Self.recording(c, variant: r.variant)
        // A ViT has no stage transitions: its rows leave the column empty.
        if c.family != .mvit { transitions = nil }
        device = RunConfiguration.cpu
        engine = RunConfiguration.revbench
        precision = RunConfiguration.fp32
        batch = r.batch; threads = r.threads; warmup = r.warmup; steps = r.steps
        tokens = c.tokens(r.variant)
    }

    /// A record of `variant` whose model columns hold `configuration`'s settings: each setting fills the column of
    /// its `columnName`, except the `unrecordedSettings`. The one place a model setting becomes a column.
    static func recording(_ configuration: ModelConfiguration, variant: Variant) -> RunRecord {
        do {
            var cells = [Column.variant.rawValue: variant.rawValue]
            for (setting, value) in try CSV.encodeCells(configuration) {
                let name = columnName(setting)
                if unrecordedSettings.contains(name) { continue }
                guard Column(rawValue: name) != nil else {
                    preconditionFailure("ModelConfiguration.\(setting) has no results column '\(name)' and is not in RunRecord.unrecordedSettings")
                }
                cells[name] = value
            }
            return try CSV.decode(RunRecord.self, from: cells)
        } catch {
            preconditionFailure("a model configuration is one flat row of settings: \(error)")
        }
    }

    /// The column name of a model setting: its name in snake_case (`imageSize` -> `image_size`).
    static func columnName(_ setting: String) -> String {
        setting.reduce(into: "") { $0 += $1.isUppercase ? "_" + $1.lowercased() : String($1) }
    }

    /// The record of `request` with what was measured: speed from the timed steps, memory of the last one.
    public init(request r: RunRequest, measurement m: StepMeasurement) {
        self.init(request: r)
        let c = r.configuration
        let macs = c.macsPerImage(r.variant)
        params = c.parameterCount(r.variant)
        // Unrounded (MACs are whole numbers, so this is exact to the last MAC): Rounds.merge computes GFLOP/s from it.
        gmacsPerImage = Double(macs) / 1e9
        if let median = setSpeed(steps: m.stepSeconds, batch: r.batch, macsPerImage: Double(macs)) {
            rounds = 1
            imagesPerSecondRounds = imagesPerSecond.map { "\($0)" }
            imagesPerSecondRoundMin = imagesPerSecond
            imagesPerSecondRoundMax = imagesPerSecond
            if m.wallSeconds > 0 { cpuUtilization = Self.rounded(m.cpuSeconds / m.wallSeconds / Double(r.threads), 3) }
            let memory = m.memory
            baselineBytes = memory.baselineLedger
            peakLedgerBytes = memory.peakLedger
            peakLedgerActivationBytes = memory.peakActivation
            peakJemallocBytes = memory.jemallocBefore + memory.jemallocStepPeak
            stepLedgerBytes = memory.stepLedger
            stepLedgerAllocatedBytes = memory.stepAllocated
            stepJemallocBytes = memory.jemallocStepPeak
            bytesPerImage = memory.stepLedger / r.batch
        }
        peakRSSBytes = m.peakRSSBytes
        residentGrowthBytes = m.residentGrowthBytes
        predictedPeakBytes = m.predictedPeakBytes
        loadAverage = m.loadAverage
        lossFirst = m.losses.first
        lossLast = m.losses.last
        blas = m.blas
    }
}
