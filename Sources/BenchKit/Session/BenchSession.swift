// The one scheduler of every measuring experiment (run, sweep, budget, check, baseline): checks and opens the output,
// takes this shard's units, skips what --resume finds done, measures the SGEMM reference, runs the rounds in rotating
// order with progress and ETA, stamps the environment on each row and appends it as soon as it is final. What one
// round measures is the experiment's (`SessionExperiment`).
import Foundation
import Engine
import Models

/// Runs an experiment's requests in child processes, round by round, and appends their merged records to one results file.
public struct BenchSession {
    public var outputPath: String
    public var quiet: Bool
    public var force: Bool
    /// Fraction of MemAvailable a predicted peak may use before a run is refused.
    public var memoryHeadroom = ProcessMemory.headroom
    /// Times each configuration's variants run (see `Rounds`).
    public var rounds = 1
    /// Skip requests whose successful row of the same `ResumeKey` (configuration, code, machine, settings) is
    /// already in the output file.
    public var resume = false
    /// Run only this shard's configurations (balanced by predicted work; see `Shard`).
    public var shard: Shard?
    /// Whether the command can be run again with --resume (run, sweep, budget). Only such a command keeps finished
    /// rounds in a journal and advises --resume when interrupted; bench check and baseline update measure afresh.
    public var resumable = true

    public init(outputPath: String, quiet: Bool, force: Bool, rounds: Int = 1, resume: Bool = false, shard: Shard? = nil) {
        self.outputPath = outputPath; self.quiet = quiet; self.force = force; self.rounds = rounds; self.resume = resume
        self.shard = shard
    }

    /// The predicted peak of `r` in bytes.
    public static func predictedPeak(_ r: RunRequest) throws -> Int {
        try r.checkedSize().prediction.peakBytes
    }

    /// Refuses requests whose predicted peak exceeds available memory (unless forced).
    public func checkMemory(_ requests: [RunRequest]) throws {
        guard !force, let available = ProcessMemory.availableBytes() else { return }
        for r in requests {
            let peak = try Self.predictedPeak(r)
            if Double(peak) > memoryHeadroom * Double(available) {
                throw BenchError("\(r.model) \(r.variant.rawValue) depth \(r.configuration.depth) batch \(r.batch) needs about "
                    + "\(Format.gib(peak)) GiB (predicted peak), but only \(Format.gib(available)) GiB is available; "
                    + "use a smaller --batch or --depth, or --force to run anyway")
            }
        }
    }

    /// Measures `requests` at their batches (`FixedBatchExperiment`), each configuration's variants as one unit.
    public func run(_ requests: [RunRequest]) throws -> [RunRecord] {
        try run(Self.configurationGroups(requests), measuring: FixedBatchExperiment())
    }

    /// Validates everything, then measures each unit's requests `rounds` times (each round every request once, in
    /// rotating order, a fresh child each; `experiment` says what one round is) and appends one merged, stamped
    /// record per request as soon as it and those before it in its unit are final. Returns the records.
    public func run(_ units: [[RunRequest]], measuring experiment: some SessionExperiment) throws -> [RunRecord] {
        try ResultsFile.checkTarget(outputPath)
        // Every size is checked arithmetically first, with or without --force.
        for r in units.joined() { _ = try r.checkedSize() }
        let env = EnvironmentInfo.current()
        var log = ProgressLog(quiet: quiet)
        var units = units
        if let shard {
            // A unit's requests stay together (they share rounds); units are the unit of the split.
            let all = units.count
            units = shard.select(units, works: try units.map { try $0.map(experiment.predictedWork).reduce(0, +) })
            log.note("shard \(shard): \(units.count) of \(all) \(experiment.unitName)")
        }
        // Each finished round is kept in the journal until its row is written (see `RoundJournal`). The output's
        // successful rows are read once, for --resume and for the journal's clean-up below.
        let journal = RoundJournal(output: outputPath, build: env.build, enabled: resumable)
        let outputExists = FileManager.default.fileExists(atPath: outputPath)
        let rowsThere = outputExists && (resume || journal.exists)
            ? try ResultsFile.read(outputPath).filter { !$0.failed } : []
        if resume, outputExists {
            let before = units.joined().count
            let resumed = Self.notYetMeasured(units, among: rowsThere, by: experiment, env: env)
            units = resumed.units
            let left = units.joined().count
            log.note("--resume: \(before - left) of \(before) configurations already in \(outputPath), \(left) to run"
                     + (resumed.elsewhere > 0 ? " (\(resumed.elsewhere) of them measured there by another commit, machine or settings)" : ""))
        }
        // Rounds kept for a configuration whose row the output already holds (an interruption between the row's
        // append and the journal's clean-up) are done with, whether or not anything is left to run.
        if journal.exists, outputExists {
            let done = Set(rowsThere.map(ResumeKey.init))
            try journal.discard { done.contains(ResumeKey($0)) }
        }
        units.removeAll(where: \.isEmpty)
        let requests = Array(units.joined())
        if requests.isEmpty { return [] }
        try experiment.refuse(requests, in: self)
        // Opening the output checks that it can be written (and creates its header) before anything is measured.
        let file = try ResultsFile(path: outputPath)
        // An interruption says what was kept.
        TemporaryFiles.setInterruptionNote(journal.interruptionNote(rows: 0, rounds: 0))
        defer { TemporaryFiles.setInterruptionNote(nil) }
        if let upgrade = file.upgradeNote { ProgressLog.write(upgrade) }
        experiment.headerNotes.forEach(log.note)
        if let advice = BLASEnvironment.advice() { log.note("note: " + advice) }
        let threads = requests[0].threads
        log.note(Self.environmentLine(env, threads: threads, rounds: rounds))
        // The SGEMM reference, measured before the children run (after a long run the BLAS pool sleeps and the
        // machine may be slower than at its best); recorded on every row.
        let sgemm = RunRecord.rounded(Calibration.sgemmReference(threads: threads), 1)
        log.note("SGEMM reference \(sgemm) GFLOP/s, measured before the runs")
        // ETA: elapsed time per unit of predicted work (MACs x batch x passes x steps) done so far.
        var totalWork = try requests.map(experiment.predictedWork).reduce(0, +) * Double(rounds)
        var total = requests.count * rounds, count = 0, done = 0.0
        var rows: [RunRecord] = []
        log.startClock()
        for unit in units {
            let keys = unit.map { ResumeKey(wanted: experiment.resumeRecord($0), in: env) }
            var measured = try keptRounds(of: keys, in: journal, log: log)
            var next = zip(unit, measured).map { r, kept in kept.first.flatMap { experiment.laterRequest(r, after: $0) } }
            for (k, kept) in measured.enumerated() where !kept.isEmpty {
                total -= kept.count
                totalWork -= try experiment.predictedWork(unit[k]) * Double(kept.count)
                let label = Self.label(unit[k], batch: experiment.batchKnownBeforeFirstRound)
                log.note("--resume: \(kept.count) of \(rounds) rounds of \(label) kept in \(journal.path) from an interrupted run")
            }
            var written = 0
            /// Whether request `k`'s rounds are all measured (none follow a first round that returned no request).
            func isFinal(_ k: Int) -> Bool { !measured[k].isEmpty && (next[k] == nil || measured[k].count == rounds) }
            /// What an interruption now would keep: this command's rows, and the unit's rounds in the journal.
            func noteWhatIsKept() {
                let roundsKept = measured[written...].joined().filter { !$0.failed }.count
                TemporaryFiles.setInterruptionNote(journal.interruptionNote(rows: rows.count, rounds: roundsKept))
            }
            noteWhatIsKept()
            for round in 0..<rounds {
                for (k, r) in Rounds.order(Array(unit.enumerated()), round: round) where measured[k].count <= round {
                    let work = try experiment.predictedWork(r)
                    if round == 0 {
                        count += 1
                        log.progress(count, of: total, Self.label(r, batch: experiment.batchKnownBeforeFirstRound),
                                     round: round, rounds: rounds, done: done, totalWork: totalWork)
                        let first = try experiment.firstRound(r, quiet: quiet, log: log.note)
                        measured[k].append(first.record)
                        next[k] = first.next
                        done += work
                        if first.next == nil {
                            // No later rounds: they leave the count and the work still to do.
                            total -= rounds - 1
                            totalWork -= work * Double(rounds - 1)
                        }
                    } else if let again = next[k] {
                        count += 1
                        log.progress(count, of: total, Self.label(again, batch: true), round: round, rounds: rounds,
                                     done: done, totalWork: totalWork)
                        measured[k].append(experiment.laterRound(again, quiet: quiet))
                        done += work
                    } else { continue }
                    if var finished = measured[k].last, !finished.failed {
                        Self.addEnvironment(&finished, env)
                        // The note counts this round before it is written, so that once the journal holds it, an
                        // interruption never says less was kept than --resume will find (a failed write ends the
                        // command with its own error).
                        noteWhatIsKept()
                        try journal.keep(finished)
                    }
                }
                // The unit's final records are appended at once, in the unit's order; their kept rounds go.
                while written < unit.count, isFinal(written) {
                    let row = finish(measured[written], env: env, sgemm: sgemm, log: log)
                    try file.append(row)
                    rows.append(row)
                    let key = keys[written]
                    try journal.discard { ResumeKey($0) == key }
                    written += 1
                    noteWhatIsKept()
                }
            }
        }
        log.note("wrote \(rows.count) row\(rows.count == 1 ? "" : "s") to \(file.path) in \(Format.duration(log.elapsed))")
        return rows
    }

    /// The rounds of each of a unit's requests (by their resume keys) that an interrupted run kept: with --resume,
    /// those of the same `ResumeKey` (code, machine, settings), at most `rounds`; without, none, and the journal forgets them (they are measured anew).
    func keptRounds(of keys: [ResumeKey], in journal: RoundJournal, log: ProgressLog) throws -> [[RunRecord]] {
        /// Whether `r` is a round of one of the unit's configurations and variants, whatever its key.
        func ofThisUnit(_ r: RunRecord) -> Bool { keys.contains { $0.configuration == r.configuration && $0.variant == r.variant } }
        guard resume else {
            try journal.discard(matching: ofThisUnit)
            return keys.map { _ in [] }
        }
        // Rounds of these configurations kept by another commit, machine or settings are not this measurement:
        // measured again, and said so, rather than left in the journal for good.
        let foreign = try journal.rounds { ofThisUnit($0) && !keys.contains(ResumeKey($0)) }
        if !foreign.isEmpty {
            log.note("--resume: set aside \(foreign.count) kept round\(foreign.count == 1 ? "" : "s") in \(journal.path) of another "
                     + "commit, machine or settings (measured again)")
            try journal.discard { ofThisUnit($0) && !keys.contains(ResumeKey($0)) }
        }
        let kept = try journal.rounds { keys.contains(ResumeKey($0)) }
        return keys.map { key in Array(kept.filter { ResumeKey($0) == key }.prefix(rounds)) }
    }

    /// One request's record from its rounds: merged, stamped with the environment and the SGEMM reference, and
    /// warned about when it failed or its figures are doubtful.
    func finish(_ rounds: [RunRecord], env: EnvironmentInfo, sgemm: Double, log: ProgressLog) -> RunRecord {
        var row = Rounds.merge(rounds)
        Self.addEnvironment(&row, env)
        row.sgemmGFLOPs = sgemm
        if row.failed {
            log.warn("\(Self.runLabel(row)): \(row.error ?? "")")
        } else {
            if let message = Self.disagreement(row) { log.warn(message) }
            if let message = Self.heapGrowth(row) { log.warn(message) }
            if let reason = Rounds.unreliability(row) {
                log.warn("speed figures of \(Self.runLabel(row)) are unreliable: \(reason)")
            }
        }
        return row
    }

    /// The note that opens a session's log: build, CPU, threads, BLAS, jemalloc and the rounds when several.
    static func environmentLine(_ env: EnvironmentInfo, threads: Int, rounds: Int) -> String {
        "bench: \(env.build) build, \(env.cpu), \(threads) threads, \(env.blas), jemalloc \(env.jemallocVersion)"
            + (rounds > 1 ? ", \(rounds) rounds" : "")
    }

    /// "model variant depth D batch B" (without the batch where it is not known yet), for progress lines.
    static func label(_ r: RunRequest, batch: Bool) -> String {
        "\(r.model) \(r.variant.rawValue) depth \(r.configuration.depth)" + (batch ? " batch \(r.batch)" : "")
    }

    /// Requests grouped by configuration (their variants together), in first-seen order.
    public static func configurationGroups(_ requests: [RunRequest]) -> [[RunRequest]] {
        var groups: [[RunRequest]] = [], index: [RunConfiguration: Int] = [:]
        for r in requests {
            let key = RunRecord(request: r).configuration
            if let i = index[key] { groups[i].append(r) } else { index[key] = groups.count; groups.append([r]) }
        }
        return groups
    }

    /// A warning when jemalloc's step peak and the ledger's differ by more than 5% + 2 MiB. The ledger's figure
    /// is taken in allocator-rounded bytes (jemalloc counts its size classes, up to 25% above the request).
    public static func disagreement(_ row: RunRecord) -> String? {
        guard let ledger = row.stepLedgerAllocatedBytes ?? row.stepLedgerBytes,
              let je = row.stepJemallocBytes, je > 0 else { return nil }
        let tolerance = 0.05 * Double(ledger) + 2 * 1_048_576
        guard abs(Double(je - ledger)) > tolerance else { return nil }
        return "jemalloc step peak \(Format.mib(Double(je))) MiB and ledger step peak \(Format.mib(Double(ledger))) MiB differ by "
            + "more than 5% + 2 MiB (\(runLabel(row)))"
    }

    /// "model variant batch N", naming the run a warning is about.
    static func runLabel(_ row: RunRecord) -> String {
        "\(row.model) \(row.variant.rawValue) batch \(row.batch.map(String.init) ?? "?")"
    }

    /// A warning when jemalloc's resident memory grew over the timed steps by more than 5% of the peak + 16 MiB:
    /// the heap is fragmenting, every step faults in fresh pages, and throughput suffers for it.
    public static func heapGrowth(_ row: RunRecord) -> String? {
        guard let growth = row.residentGrowthBytes.map(Double.init), let peak = row.peakJemallocBytes.map(Double.init),
              growth > 0.05 * peak + 16 * 1_048_576 else { return nil }
        return "jemalloc's resident memory grew by \(Format.mib(growth)) MiB over the timed steps (peak allocation "
            + "\(Format.mib(peak)) MiB): the heap fragments and step times include page faults "
            + "(\(runLabel(row)))"
    }

    /// Stamps a run record's environment columns (`EnvironmentInfo.stamp`) and its jemalloc version.
    public static func addEnvironment(_ row: inout RunRecord, _ env: EnvironmentInfo) {
        env.stamp(&row)
        row.jemallocVersion = env.jemallocVersion
    }
}
