// Stability through the session: the same output opening, environment stamping and notes as every measuring
// experiment. It trains in this process and emits rows as it goes (no children, so no rounds, shards or resume).
import Foundation

extension BenchSession {
    /// Trains and measures `request` (`Stability.run`) unless its predicted peak exceeds available memory (and the
    /// session is not forced), appending each row, stamped with the environment, as soon as
    /// it is measured; returns the rows.
    public func runStability(_ request: StabilityRequest) throws -> [StabilityRecord] {
        // Refused before the output is opened, as a run is: a size that cannot fit leaves no file behind.
        try checkMemory(request.memoryRequests)
        let file = try ResultsFile(path: outputPath, of: StabilityRecord.self,
                                   required: StabilityRecord.requiredColumns)
        if let upgrade = file.upgradeNote { ProgressLog.write(upgrade) }
        let env = EnvironmentInfo.current()
        let log = ProgressLog(quiet: quiet)
        log.note(Self.environmentLine(env, threads: request.threads, rounds: 1))
        var rows: [StabilityRecord] = []
        try Stability.run(request, emit: { row in
            var row = row
            env.stamp(&row)
            try file.append(row)
            rows.append(row)
        }, log: log.note)
        return rows
    }
}
