// The budget experiment through the session: the same resume, shard, output checks, environment stamping and SGEMM
// reference as a run, each unit (one configuration's variants) measured by `BudgetExperiment` at the largest batch
// its memory budget allows. `bench budget` only parses its options and prints the table.
import Foundation
import Engine
import Models

extension BenchSession {
    /// Measures each unit's variants under `budget` (their requests' batch is ignored: the experiment finds it) and
    /// appends each record as soon as it is measured. Returns the records.
    public func runBudget(_ units: [[RunRequest]], budget: Int) throws -> [RunRecord] {
        let env = EnvironmentInfo.current()
        // --resume: the (configuration, variant) pairs with a successful row under this budget and build.
        let done = try completedKeys(build: env.build) { $0.memoryBudgetBytes == budget }
        var units = units
        if let shard {
            // With --shard, this machine's share, balanced by the work at the predicted batches.
            let all = units.count
            units = shard.select(units, works: try units.map { try BudgetExperiment.predictedWork($0, budget: budget) })
            note("shard \(shard): \(units.count) of \(all) model-depth pairs")
        }
        func isDone(_ r: RunRequest) -> Bool {
            var key = RunRecord(request: r)
            key.memoryBudgetBytes = budget
            return done.contains(Self.resumeKey(key))
        }
        try ResultsFile.checkTarget(outputPath)
        // Opening the output checks it (and creates its header) before anything is measured or printed; a resumed
        // run with nothing left to measure leaves the file as it is.
        let pending = units.contains { $0.contains { !isDone($0) } }
        let file = pending ? try ResultsFile(path: outputPath) : nil
        if let upgrade = file?.upgradeNote { FileHandle.standardError.write(Data((upgrade + "\n").utf8)) }
        note("budget \(Format.gib(budget)) GiB" + (budget < 16 << 30 ? " (scaled down from the paper's 16 GiB-class device)" : ""))
        if let advice = BLASEnvironment.advice() { note("note: " + advice) }
        let total = units.map(\.count).reduce(0, +)
        let sgemm = Calibration.sgemmReference(threads: units.first?.first?.threads ?? System.coreCount)
        var rows: [RunRecord] = []
        for unit in units {
            for template in unit {
                let depth = template.configuration.depth, variant = template.variant.rawValue
                if isDone(template) {
                    note("\(template.model) depth \(depth) \(variant): already in \(outputPath) (--resume)")
                    continue
                }
                note("[\(rows.count + 1)/\(total)] \(template.model) depth \(depth) \(variant)")
                var row = try BudgetExperiment.measure(template, budget: budget, quiet: quiet, rounds: rounds, log: note)
                Self.addEnvironment(&row, env)
                row.sgemmGFLOPs = RunRecord.rounded(sgemm, 1)
                try file?.append(row)
                rows.append(row)
            }
        }
        return rows
    }
}
