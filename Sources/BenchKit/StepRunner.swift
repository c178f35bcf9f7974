// Runs warm-up and timed training steps of one variant in this process and measures each timed step:
// the ledger (exact, per category), jemalloc (thread peak and stats.allocated), VmHWM, and wall time; and how much
// jemalloc's resident memory grew over the timed steps (a healthy heap reuses its pages: about zero).
import Foundation
import Engine
import Models

/// What to measure: one model variant at one batch size.
public struct RunRequest: Sendable, Equatable {
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
}

extension ConfigOverrides: Equatable {
    public static func == (a: ConfigOverrides, b: ConfigOverrides) -> Bool {
        a.depth == b.depth && a.width == b.width && a.heads == b.heads && a.imageSize == b.imageSize
            && a.patchSize == b.patchSize && a.classes == b.classes && a.dropPath == b.dropPath
    }
}

/// Memory figures of one measured step.
public struct StepMemory: Sendable {
    public var baselineLedger = 0        // ledger live total before the step
    public var peakLedger = 0            // ledger peak total during the step
    public var peakActivation = 0        // ledger activation peak above its pre-step level
    public var baselineAllocated = 0     // ledger live bytes as the allocator rounded them, before the step
    public var peakAllocated = 0         // the same, peak during the step
    public var jemallocBefore = 0        // stats.allocated before the step
    public var jemallocStepPeak = 0      // thread.peak.read after thread.peak.reset at the step's start
    public var stepLedger: Int { peakLedger - baselineLedger }
    public var stepAllocated: Int { peakAllocated - baselineAllocated }
}

/// Environment variable that makes measured models keep one extra activation per block (tests of `bench check`).
public let testingExtraActivationVariable = "REVBENCH_TESTING_EXTRA_ACTIVATION"

public enum StepRunner {
    /// Builds the model, runs `warmup` then `steps` timed training steps, and returns a row without environment
    /// columns. `log` receives one line per step.
    public static func measure(_ r: RunRequest, log: ((String) -> Void)? = nil) throws -> ResultRow {
        let config = try r.config()
        BLAS.threads = r.threads
        Parallel.workers = r.threads
        let model = Presets.makeModel(config, variant: r.variant, seed: r.seed)
        // Test-only: make the model keep one extra (B, N, C) tensor per block, to prove the CI check catches it.
        model.testingKeepsExtraActivation = ProcessInfo.processInfo.environment[testingExtraActivationVariable] == "1"
        let optimizer = AdamW(model.parameters, lr: 1e-4)
        var rng = SeededRNG(seed: r.seed &+ 99)
        let images = Tensor([r.batch, config.channels, config.imageSize, config.imageSize], zeroed: false)
        rng.fillNormal(images, std: 1, truncated: false)
        let labels = (0..<r.batch).map { _ in rng.int(below: config.classes) }
        let prediction = MemoryModel.predict(config, variant: r.variant, batch: r.batch, parameterCount: model.parameterCount)

        var losses: [Float] = []
        for i in 0..<r.warmup {
            let t0 = DispatchTime.now().uptimeNanoseconds
            losses.append(model.trainStep(images: images, labels: labels, optimizer: optimizer))
            log?("warm-up step \(i + 1)/\(r.warmup): \(seconds(since: t0)) s, loss \(losses.last!)")
        }
        var times: [Double] = []
        var memory = StepMemory()
        let residentBefore = Jemalloc.residentBytes()
        for i in 0..<r.steps {
            memory.baselineLedger = Ledger.shared.liveTotal
            memory.baselineAllocated = Ledger.shared.liveAllocated
            let activationBefore = Ledger.shared.live(.activation)
            memory.jemallocBefore = Jemalloc.allocatedBytes() ?? 0
            Ledger.shared.resetPeaks()
            Jemalloc.resetThreadPeak()
            let t0 = DispatchTime.now().uptimeNanoseconds
            losses.append(model.trainStep(images: images, labels: labels, optimizer: optimizer))
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            memory.jemallocStepPeak = Jemalloc.threadPeakBytes() ?? 0
            memory.peakLedger = Ledger.shared.peakTotal
            memory.peakAllocated = Ledger.shared.peakAllocated
            memory.peakActivation = Ledger.shared.peak(.activation) - activationBefore
            times.append(dt)
            log?("step \(i + 1)/\(r.steps): \(Format.fixed(dt, 3)) s, loss \(losses.last!)")
        }
        let residentAfter = Jemalloc.residentBytes()
        let sorted = times.sorted()
        let median = sorted.isEmpty ? 0 : (sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                                           : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        let macs = config.macsPerImage(r.variant)
        let passes = r.variant == .standard ? 3 : 4   // forward + backward (+ recompute)
        var row = ResultRow()
        row["model"] = r.pairName
        row["variant"] = r.variant.rawValue
        row["depth"] = "\(config.depth)"; row["width"] = "\(config.width)"; row["heads"] = "\(config.heads)"
        row["image_size"] = "\(config.imageSize)"; row["patch_size"] = "\(config.patchSize)"
        row["tokens"] = "\(config.tokens(r.variant))"; row["batch"] = "\(r.batch)"; row["threads"] = "\(r.threads)"
        row["params"] = "\(model.parameterCount)"
        row["gmacs_per_image"] = String(format: "%.4f", Double(macs) / 1e9)
        row["warmup"] = "\(r.warmup)"; row["steps"] = "\(r.steps)"
        if !times.isEmpty {
            row["step_s_median"] = String(format: "%.4f", median)
            row["step_s_min"] = String(format: "%.4f", sorted.first!)
            row["step_s_max"] = String(format: "%.4f", sorted.last!)
            row["images_per_s"] = String(format: "%.3f", Double(r.batch) / median)
            row["gflops_per_s"] = String(format: "%.2f", Double(macs * passes * 2 * r.batch) / median / 1e9)
            row["baseline_bytes"] = "\(memory.baselineLedger)"
            row["peak_ledger_bytes"] = "\(memory.peakLedger)"
            row["peak_ledger_activation_bytes"] = "\(memory.peakActivation)"
            row["peak_jemalloc_bytes"] = "\(memory.jemallocBefore + memory.jemallocStepPeak)"
            row["step_ledger_bytes"] = "\(memory.stepLedger)"
            row["step_ledger_allocated_bytes"] = "\(memory.stepAllocated)"
            row["step_jemalloc_bytes"] = "\(memory.jemallocStepPeak)"
            row["bytes_per_image"] = "\(memory.stepLedger / r.batch)"
        }
        row["peak_rss_bytes"] = ProcessMemory.peakResidentBytes().map { "\($0)" } ?? ""
        if let before = residentBefore, let after = residentAfter { row["resident_growth_bytes"] = "\(after - before)" }
        row["predicted_peak_bytes"] = "\(prediction.peakBytes)"
        row["loss_first"] = losses.first.map { "\($0)" } ?? ""
        row["loss_last"] = losses.last.map { "\($0)" } ?? ""
        row["blas"] = "OpenBLAS \(EnvironmentInfo.openBLASVersion()) \(BLAS.coreName)"  // the kernel this process used
        row["error"] = ""
        return row
    }

    static func seconds(since t0: UInt64) -> String {
        Format.fixed(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, 3)
    }
}
