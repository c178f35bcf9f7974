// The paper's throughput experiment: under a fixed memory budget, each variant trains at the largest batch that
// fits; images/s is measured at that batch. The batch comes from the memory model and is confirmed by a real step
// whose measured peak (ledger, all categories) must be under the budget; if it is not, the batch shrinks and the
// step is measured again. Later rounds (see `Rounds`) measure the confirmed batch again, rotating with the other
// variants of the same model and depth.
import Foundation
import Models

/// Measures each request at the largest batch its memory budget allows (see the file's header).
public struct BudgetExperiment: SessionExperiment {
    /// The memory budget in bytes: parameters, gradients, AdamW state, input and the step's activations.
    public var budget: Int

    public init(budget: Int) { self.budget = budget }

    public var unitName: String { "model-depth pairs" }
    public var headerNotes: [String] {
        ["budget \(Format.gib(budget)) GiB" + (budget < 16 << 30 ? " (scaled down from the paper's 16 GiB-class device)" : "")]
    }
    public var batchKnownBeforeFirstRound: Bool { false }

    /// Refuses a budget above the available memory (unless forced): its largest batches could not run here.
    public func refuse(_ requests: [RunRequest], in session: BenchSession) throws {
        guard !session.force, let available = ProcessMemory.availableBytes(), budget > available else { return }
        throw BenchError("--memory \(Format.bytes(budget)) is more than the \(Format.gib(available)) GiB available; "
                         + "scale the budget down (e.g. --memory 2GiB) or use --force")
    }

    public func predictedWork(_ r: RunRequest) throws -> Double { try Self.predictedWork([r], budget: budget) }

    /// A budget row is matched by its configuration, budget included, and variant; its batch is the outcome.
    public func resumeRecord(_ r: RunRequest) -> RunRecord {
        var key = RunRecord(request: r)
        key.memoryBudgetBytes = budget
        return key
    }

    /// The smallest and largest budgets accepted: below 1 MiB not even a tiny model's weights fit; above 1 PiB is
    /// no machine's memory (and would overflow the batch search).
    public static let smallestBudget = 1 << 20, largestBudget = SizeCheck.largestBytes

    /// Parses "16GiB", "2 GiB" (one space before the unit), "512MiB", "8GB", "1.5GiB", "1000000000" (bytes). A
    /// number is digits with at most one point: no sign, exponent, inf or nan, and no space inside it.
    public static func parseBytes(_ text: String) throws -> Int {
        let usage = "--memory takes a size between 1 MiB and 1024 TiB like 16GiB, 2 GiB or 512MiB (KiB/MiB/GiB/TiB and "
            + "K/M/G/T are powers of 1024, as Slurm's --mem; KB/MB/GB/TB powers of 1000), got '\(text)'"
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("TiB", 1_099_511_627_776),
                                         ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("TB", 1e12),
                                         ("G", 1_073_741_824), ("M", 1_048_576), ("K", 1024), ("T", 1_099_511_627_776)]
        var number = Substring(t), scale = 1.0
        if let (suffix, s) = units.first(where: { t.hasSuffix($0.0) }) {
            number = t.dropLast(suffix.count)
            if number.hasSuffix(" ") { number = number.dropLast() }
            scale = s
        }
        guard !number.isEmpty, number.allSatisfy({ ("0"..."9").contains($0) || $0 == "." }),
              number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { throw BenchError(usage) }
        let bytes = value * scale
        guard bytes >= Double(smallestBudget), bytes <= Double(largestBudget) else { throw BenchError(usage) }
        return Int(bytes)
    }

    /// The largest batch whose predicted peak fits `budget` (0 when not even one image fits).
    public static func predictedMaxBatch(_ config: ModelConfiguration, variant: Variant, parameterCount: Int, budget: Int,
                                         workers: Int) -> Int {
        func fits(_ b: Int) -> Bool {
            MemoryModel.predict(config, variant: variant, batch: b, parameterCount: parameterCount, workers: workers).peakBytes <= budget
        }
        guard fits(1) else { return 0 }
        var lo = 1, hi = 2
        while fits(hi) && hi < 1 << 20 { lo = hi; hi *= 2 }
        while hi - lo > 1 { let mid = (lo + hi) / 2; if fits(mid) { lo = mid } else { hi = mid } }
        return lo
    }

    /// Predicted work of measuring `requests` under `budget` (each at its predicted largest batch, at least 1): what
    /// shards balance and `bench reproduce` estimates its time from.
    public static func predictedWork(_ requests: [RunRequest], budget: Int) throws -> Double {
        try requests.map { r -> Double in
            let params = try SizeCheck.check(r.configuration, variant: r.variant, batch: 1, workers: r.threads).parameterCount
            let batch = predictedMaxBatch(r.configuration, variant: r.variant, parameterCount: params, budget: budget,
                                          workers: r.threads)
            var one = r
            one.batch = 1
            return try one.predictedWork() * Double(max(batch, 1))
        }.reduce(0, +)
    }

    /// The largest batch under the budget, found for `template` (its batch is ignored) and confirmed by a measured
    /// step; the record (with max_batch) and the request later rounds repeat at that batch (nil when none fits).
    public func firstRound(_ template: RunRequest, quiet: Bool,
                           log: (String) -> Void) throws -> (record: RunRecord, next: RunRequest?) {
        let config = template.configuration
        let params = try SizeCheck.check(config, variant: template.variant, batch: 1, workers: template.threads).parameterCount
        var batch = Self.predictedMaxBatch(config, variant: template.variant, parameterCount: params, budget: budget,
                                           workers: template.threads)
        func noBatch(_ message: String) -> (record: RunRecord, next: RunRequest?) {
            var row = template.failure(message)
            row.maxBatch = 0
            row.memoryBudgetBytes = budget
            row.params = params
            return (row, nil)
        }
        guard batch > 0 else {
            return noBatch("no batch fits: parameters, gradients and AdamW state alone "
                + "need \(Format.gib(4 * 4 * params)) GiB of the \(Format.gib(budget)) GiB budget")
        }
        for attempt in 1...4 {
            var r = template
            r.batch = batch
            log("  batch \(batch) (predicted max), measuring" + (attempt > 1 ? " again (try \(attempt))" : ""))
            let row = laterRound(r, quiet: quiet)
            guard !row.failed, let peak = row.peakLedgerBytes, let base = row.baselineBytes else { return (row, nil) }
            if peak <= budget { return (row, r) }
            // Over budget: shrink by the measured per-image cost and try again.
            let perImage = max(1, (peak - base) / batch)
            let smaller = max(0, (budget - base) / perImage - 1)
            log("  measured peak \(Format.gib(peak)) GiB exceeds the budget; retrying smaller")
            batch = min(batch - 1, smaller)
            if batch < 1 { break }
        }
        return noBatch("no batch confirmed under the budget")
    }

    /// The request at the batch a kept first round confirmed.
    public func laterRequest(_ r: RunRequest, after first: RunRecord) -> RunRequest? {
        guard let batch = first.batch, batch > 0 else { return nil }
        var confirmed = r
        confirmed.batch = batch
        return confirmed
    }

    /// One measurement of `r` at its confirmed batch, recorded with the budget and that batch as max_batch.
    public func laterRound(_ r: RunRequest, quiet: Bool) -> RunRecord {
        var row = ChildRunner.run(r, quiet: quiet)
        row.maxBatch = r.batch
        row.memoryBudgetBytes = budget
        return row
    }
}
