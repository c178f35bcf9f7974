// A record built from its request: the configuration's columns come from the one resolved configuration, the
// measured ones from a `StepMeasurement`. The only place a request's fields become columns.
import Foundation
import Models

extension RunRecord {
    /// The record of `request` before anything is measured: its configuration, without results.
    public init(request r: RunRequest) {
        let c = r.configuration
        self.init(model: c.model, variant: r.variant)
        device = RunConfiguration.cpu
        engine = RunConfiguration.revbench
        precision = RunConfiguration.fp32
        batch = r.batch; threads = r.threads; warmup = r.warmup; steps = r.steps
        depth = c.depth; width = c.width; heads = c.heads
        imageSize = c.imageSize; patchSize = c.patchSize; tokens = c.tokens(r.variant)
        if c.family == .mvit { transitions = c.transitions.rawValue }
        attention = c.attention.rawValue
    }

    /// The record of `request` with what was measured: speed from the timed steps, memory of the last one.
    public init(request r: RunRequest, measurement m: StepMeasurement) {
        self.init(request: r)
        let c = r.configuration
        let macs = c.macsPerImage(r.variant)
        params = c.parameterCount(r.variant)
        gmacsPerImage = Self.rounded(Double(macs) / 1e9, 4)
        if let median = setSpeed(steps: m.stepSeconds, batch: r.batch, macsPerImage: Double(macs)) {
            rounds = 1
            imagesPerSecondRounds = "\(Self.rounded(Double(r.batch) / median, 3))"
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
