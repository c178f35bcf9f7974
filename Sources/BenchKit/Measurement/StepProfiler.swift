// Profiles one training step: the ledger records every allocation and free of the step (scope, category, phase,
// time) on top of the live bytes per scope before it. The child side of `bench profile`, and what its tests call
// in-process.
import Foundation
import Engine
import Models

/// Records one training step's allocations and frees.
public enum StepProfiler {
    /// One training step of `model` with the ledger recording. The ledger's peak is reset first, so `ledgerPeak` is
    /// this step's.
    public static func profile(_ model: VisionModel, images: Tensor, labels: [Int], optimizer: Optimizer) -> StepProfile {
        let ledger = Ledger.shared
        let slots = Ledger.categoryCount
        var before: [ScopeBytes] = []
        for (slot, bytes) in ledger.liveByScope.enumerated() where bytes != 0 {
            before.append(ScopeBytes(scope: Int32(slot / slots), category: slot % slots, bytes: bytes))
        }
        let ledgerBefore = ledger.liveTotal
        ledger.resetPeaks()
        let t0 = DispatchTime.now().uptimeNanoseconds
        ledger.startRecording()
        model.trainStep(images: images, labels: labels, optimizer: optimizer)
        let events = ledger.stopRecording()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return StepProfile(variant: model.variant, configuration: model.config, batch: images.shape[0],
                           scopes: Scopes.table, before: before,
                           nanoseconds: events.map(\.nanoseconds), bytes: events.map(\.bytes),
                           scopeIDs: events.map(\.scope.raw), categories: events.map { UInt8($0.category.rawValue) },
                           phases: events.map(\.phase.rawValue), ledgerBefore: ledgerBefore,
                           ledgerPeak: ledger.peakTotal, stepSeconds: seconds, overhead: nil)
    }

    /// The child's side of `bench profile`: `r.warmup` warm-up steps, then one profiled step; with `overheadPairs`
    /// > 0, that many pairs of unprofiled and profiled steps follow, alternating which goes first, timed in CPU
    /// seconds of the whole process (all threads).
    public static func run(_ r: RunRequest, overheadPairs: Int = 0, log: ((String) -> Void)? = nil) -> StepProfile {
        // Progress for a step that takes minutes (a large model in a debug build): a line before each long stretch
        // and each step's seconds, so the next one's length can be judged.
        func since(_ t: UInt64) -> String { Format.fixed(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9, 3) + " s" }
        var t = DispatchTime.now().uptimeNanoseconds
        log?("building the model, its optimizer and the batch")
        let (model, optimizer, images, labels) = TrainingSetup(r).parts
        log?("built in \(since(t))")
        for i in 0..<r.warmup {
            t = DispatchTime.now().uptimeNanoseconds
            model.trainStep(images: images, labels: labels, optimizer: optimizer)
            log?("warm-up step \(i + 1)/\(r.warmup): \(since(t))")
        }
        log?("profiling one step")
        var profile = profile(model, images: images, labels: labels, optimizer: optimizer)
        log?("profiled step: \(profile.eventCount) allocations and frees, \(Format.fixed(profile.stepSeconds, 3)) s")
        guard overheadPairs > 0 else { return profile }
        var overhead = ProfileOverhead(unprofiledCPUSeconds: [], profiledCPUSeconds: [], unprofiledWallSeconds: [],
                                       profiledWallSeconds: [])
        for pair in 0..<overheadPairs {
            for profiled in pair % 2 == 0 ? [false, true] : [true, false] {
                let cpu0 = ProcessLoad.cpuSeconds(), wall0 = DispatchTime.now().uptimeNanoseconds
                if profiled { Ledger.shared.startRecording() }
                model.trainStep(images: images, labels: labels, optimizer: optimizer)
                if profiled { _ = Ledger.shared.stopRecording() }
                let cpu = ProcessLoad.cpuSeconds() - cpu0, wall = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e9
                if profiled { overhead.profiledCPUSeconds.append(cpu); overhead.profiledWallSeconds.append(wall) }
                else { overhead.unprofiledCPUSeconds.append(cpu); overhead.unprofiledWallSeconds.append(wall) }
            }
            log?("overhead pair \(pair + 1)/\(overheadPairs)")
        }
        profile.overhead = overhead
        return profile
    }
}
