// Runs warm-up and timed training steps of one variant in this process and measures each timed step:
// the ledger (exact, per category), jemalloc (thread peak and stats.allocated), VmHWM, and wall time; and how much
// jemalloc's resident memory grew over the timed steps (a healthy heap reuses its pages: about zero).
import Foundation
import Engine
import Models

/// Measures one request's training steps in this process (the child's side of a run).
public enum StepRunner {
    /// Builds the model, runs `warmup` then `steps` timed training steps, and returns a record without environment
    /// columns. `log` receives one line per step. `duringStep`, when given, is called at the start of each timed
    /// step and what it returns is held until the step ends (a test's extra allocation; see `ChildRunner`).
    public static func measure(_ r: RunRequest, log: ((String) -> Void)? = nil,
                               duringStep: ((RunRequest) -> Any?)? = nil) throws -> RunRecord {
        let config = r.configuration
        var m = StepMeasurement()
        m.loadAverage = ProcessLoad.loadAverage()
        let (model, optimizer, images, labels) = TrainingSetup(r).parts
        m.predictedPeakBytes = MemoryModel.predict(config, variant: r.variant, batch: r.batch,
                                                   parameterCount: model.parameterCount, workers: r.threads).peakBytes

        for i in 0..<r.warmup {
            let t0 = DispatchTime.now().uptimeNanoseconds
            m.losses.append(model.trainStep(images: images, labels: labels, optimizer: optimizer))
            log?("warm-up step \(i + 1)/\(r.warmup): \(seconds(since: t0)) s, loss \(m.losses.last!)")
        }
        let residentBefore = Jemalloc.residentBytes()
        let cpuBefore = ProcessLoad.cpuSeconds(), wallBefore = DispatchTime.now().uptimeNanoseconds
        for i in 0..<r.steps {
            m.memory.baselineLedger = Ledger.shared.liveTotal
            m.memory.baselineAllocated = Ledger.shared.liveAllocated
            let activationBefore = Ledger.shared.live(.activation)
            m.memory.jemallocBefore = Jemalloc.allocatedBytes() ?? 0
            Ledger.shared.resetPeaks()
            Jemalloc.resetThreadPeak()
            let t0 = DispatchTime.now().uptimeNanoseconds
            let extra = duringStep?(r)
            m.losses.append(model.trainStep(images: images, labels: labels, optimizer: optimizer))
            withExtendedLifetime(extra) {}
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            m.memory.jemallocStepPeak = Jemalloc.threadPeakBytes() ?? 0
            m.memory.peakLedger = Ledger.shared.peakTotal
            m.memory.peakAllocated = Ledger.shared.peakAllocated
            m.memory.peakActivation = Ledger.shared.peak(.activation) - activationBefore
            m.stepSeconds.append(dt)
            log?("step \(i + 1)/\(r.steps): \(Format.fixed(dt, 3)) s, loss \(m.losses.last!)")
        }
        let residentAfter = Jemalloc.residentBytes()
        m.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - wallBefore) / 1e9
        m.cpuSeconds = ProcessLoad.cpuSeconds() - cpuBefore
        m.peakRSSBytes = ProcessMemory.peakResidentBytes()
        if let before = residentBefore, let after = residentAfter { m.residentGrowthBytes = after - before }
        m.blas = "OpenBLAS \(EnvironmentInfo.openBLASVersion()) \(BLAS.coreName)"  // the kernel this process used
        return RunRecord(request: r, measurement: m)
    }

    static func seconds(since t0: UInt64) -> String {
        Format.fixed(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, 3)
    }
}
