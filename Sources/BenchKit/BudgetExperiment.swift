// The paper's throughput experiment: under a fixed memory budget, each variant trains at the largest batch that
// fits; images/s is measured at that batch. The batch comes from the memory model and is confirmed by a real step
// whose measured peak (ledger, all categories) must be under the budget; if it is not, the batch shrinks and the
// step is measured again.
import Foundation
import Models

public enum BudgetExperiment {
    /// Parses "16GiB", "2 GiB", "512MiB", "8GB", "1000000" (bytes).
    public static func parseBytes(_ text: String) throws -> Int {
        let t = text.replacingOccurrences(of: " ", with: "")
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024),
                                         ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("G", 1_073_741_824), ("M", 1_048_576)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            if let v = Double(t.dropLast(suffix.count)), v > 0 { return Int(v * scale) }
            break
        }
        if let v = Int(t), v > 0 { return v }
        throw BenchError("--memory takes a positive size like 16GiB, 2GiB or 512MiB, got '\(text)'")
    }

    /// The largest batch whose predicted peak fits `budget` (0 when not even one image fits).
    public static func predictedMaxBatch(_ config: ViTConfig, variant: Variant, parameterCount: Int, budget: Int) -> Int {
        func fits(_ b: Int) -> Bool {
            MemoryModel.predict(config, variant: variant, batch: b, parameterCount: parameterCount).peakBytes <= budget
        }
        guard fits(1) else { return 0 }
        var lo = 1, hi = 2
        while fits(hi) && hi < 1 << 20 { lo = hi; hi *= 2 }
        while hi - lo > 1 { let mid = (lo + hi) / 2; if fits(mid) { lo = mid } else { hi = mid } }
        return lo
    }

    /// Measures one (model, depth, variant) under `budget`; returns the record to keep (with max_batch).
    /// With `rounds` > 1 the confirmed batch runs again until `rounds` measurements are merged (see `Rounds`).
    public static func measure(_ template: RunRequest, budget: Int, quiet: Bool, rounds: Int = 1,
                               log: (String) -> Void) throws -> RunRecord {
        let config = try template.config()
        let params = Presets.makeModel(config, variant: template.variant, initialize: false).parameterCount
        var batch = predictedMaxBatch(config, variant: template.variant, parameterCount: params, budget: budget)
        func noBatch(_ message: String) -> RunRecord {
            var row = template.failure(message)
            row.maxBatch = 0
            row.memoryBudgetBytes = budget
            row.params = params
            return row
        }
        guard batch > 0 else {
            return noBatch("no batch fits: parameters, gradients and AdamW state alone "
                + "need \(Format.gib(4 * 4 * params)) GiB of the \(Format.gib(budget)) GiB budget")
        }
        for attempt in 1...4 {
            var r = template
            r.batch = batch
            log("  batch \(batch) (predicted max), measuring" + (attempt > 1 ? " again (try \(attempt))" : ""))
            var row = ChildRunner.run(r, quiet: quiet)
            row.maxBatch = batch
            row.memoryBudgetBytes = budget
            guard !row.failed, let peak = row.peakLedgerBytes, let base = row.baselineBytes else { return row }
            if peak <= budget {
                var measured = [row]
                for round in 2...max(2, rounds) where round <= rounds {
                    log("  batch \(batch), round \(round)/\(rounds)")
                    var again = ChildRunner.run(r, quiet: quiet)
                    again.maxBatch = batch
                    again.memoryBudgetBytes = budget
                    measured.append(again)
                }
                return Rounds.merge(measured)
            }
            // Over budget: shrink by the measured per-image cost and try again.
            let perImage = max(1, (peak - base) / batch)
            let smaller = max(0, (budget - base) / perImage - 1)
            log("  measured peak \(Format.gib(peak)) GiB exceeds the budget; retrying smaller")
            batch = min(batch - 1, smaller)
            if batch < 1 { break }
        }
        return noBatch("no batch confirmed under the budget")
    }
}
