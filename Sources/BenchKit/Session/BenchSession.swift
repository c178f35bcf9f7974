// Runs a list of configurations, each in a child process: checks the output file and the memory forecast first,
// shows progress (completed/total, ETA), appends each row as soon as it is measured, warns on disagreement.
import Foundation
import Engine
import Models

/// Runs requests in child processes, round by round, and appends their merged records to one results file.
public struct BenchSession {
    public var outputPath: String
    public var quiet: Bool
    public var force: Bool
    /// Fraction of MemAvailable a predicted peak may use before a run is refused.
    public var memoryHeadroom = 0.9
    /// Times each configuration's variants run (see `Rounds`).
    public var rounds = 1
    /// Skip requests whose successful row, of the same configuration and build, is already in the output file.
    public var resume = false
    /// Run only this shard's configurations (balanced by predicted work; see `Shard`).
    public var shard: Shard?

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

    /// Validates everything, then measures each configuration's variants `rounds` times (each round every variant
    /// once, in rotating order, a fresh child each) and appends one merged record per variant as soon as its
    /// configuration's rounds are done. Returns the records (also appended to the file).
    public func run(_ requests: [RunRequest]) throws -> [RunRecord] {
        try ResultsFile.checkTarget(outputPath)
        // Every size is checked arithmetically first, with or without --force.
        for r in requests { _ = try r.checkedSize() }
        let env = EnvironmentInfo.current()
        var requests = requests
        if let shard {
            // A configuration's variants stay together (they share rounds); configurations are the unit of the split.
            let groups = Self.configurationGroups(requests)
            let chosen = shard.select(groups, works: try groups.map { try $0.map { try $0.predictedWork() }.reduce(0, +) })
            requests = chosen.flatMap { $0 }
            note("shard \(shard): \(chosen.count) of \(groups.count) configurations")
            if requests.isEmpty { return [] }
        }
        if resume, FileManager.default.fileExists(atPath: outputPath) {
            let done = try completedKeys(build: env.build)
            let before = requests.count
            requests.removeAll { done.contains(Self.resumeKey(RunRecord(request: $0))) }
            note("--resume: \(before - requests.count) of \(before) configurations already in \(outputPath), \(requests.count) to run")
            if requests.isEmpty { return [] }
        }
        try checkMemory(requests)
        // Opening the output checks that it can be written (and creates its header) before anything is measured.
        let file = try ResultsFile(path: outputPath)
        if let upgrade = file.upgradeNote { FileHandle.standardError.write(Data((upgrade + "\n").utf8)) }
        if let advice = BLASEnvironment.advice() { note("note: " + advice) }
        note("bench: \(env.build) build, \(env.cpu), \(requests.first?.threads ?? 0) threads, \(env.blas), jemalloc \(env.jemallocVersion)"
             + (rounds > 1 ? ", \(rounds) rounds" : ""))
        // The requests of one configuration (its variants) run together, round after round.
        let groups = Self.configurationGroups(requests)
        // The SGEMM reference, measured before the children run (after a long run the BLAS pool sleeps and the
        // machine may be slower than at its best); recorded on every row.
        let sgemm = RunRecord.rounded(Calibration.sgemmReference(threads: requests.first?.threads ?? System.coreCount), 1)
        note("SGEMM reference \(sgemm) GFLOP/s, measured before the runs")
        var rows: [RunRecord] = []
        let start = Date()
        // ETA: elapsed time per unit of predicted work (MACs x batch x passes x steps) done so far.
        let totalWork = try requests.map { try $0.predictedWork() }.reduce(0, +) * Double(rounds)
        var done = 0.0, count = 0
        for group in groups {
            var measured = Array(repeating: [RunRecord](), count: group.count)
            for round in 0..<rounds {
                for (k, r) in Rounds.order(Array(group.enumerated()), round: round) {
                    count += 1
                    var line = "[\(count)/\(requests.count * rounds)] \(r.model) \(r.variant.rawValue) depth \(r.configuration.depth) batch \(r.batch)"
                    if rounds > 1 { line += ", round \(round + 1)/\(rounds)" }
                    if done > 0 { line += ", ETA \(Format.duration(Date().timeIntervalSince(start) / done * (totalWork - done)))" }
                    note(line)
                    measured[k].append(ChildRunner.run(r, quiet: quiet))
                    done += try r.predictedWork()
                }
            }
            for (k, r) in group.enumerated() {
                var row = Rounds.merge(measured[k])
                Self.addEnvironment(&row, env)
                row.sgemmGFLOPs = sgemm
                try file.append(row)
                rows.append(row)
                if row.failed {
                    warn("\(r.model) \(r.variant.rawValue) batch \(r.batch): \(row.error ?? "")")
                } else {
                    if let message = Self.disagreement(row) { warn(message) }
                    if let message = Self.heapGrowth(row) { warn(message) }
                    if let reason = Rounds.unreliability(row) {
                        warn("speed figures of \(Self.runLabel(row)) are unreliable: \(reason)")
                    }
                }
            }
        }
        note("wrote \(rows.count) row\(rows.count == 1 ? "" : "s") to \(file.path) in \(Format.duration(Date().timeIntervalSince(start)))")
        return rows
    }

    /// With --resume, the keys (`resumeKey`) of the successful rows of this build already in the output that also
    /// satisfy `include`; empty without --resume or without the file.
    func completedKeys(build: String, where include: (RunRecord) -> Bool = { _ in true }) throws -> Set<String> {
        guard resume, FileManager.default.fileExists(atPath: outputPath) else { return [] }
        return Set(try ResultsFile.read(outputPath).filter { !$0.failed && $0.build == build && include($0) }.map(Self.resumeKey))
    }

    /// What --resume matches a row by: its configuration and variant.
    static func resumeKey(_ row: RunRecord) -> String { "\(row.configuration) \(row.variant.rawValue)" }

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

    func note(_ s: String) { if !quiet { FileHandle.standardError.write(Data((s + "\n").utf8)) } }
    func warn(_ s: String) { FileHandle.standardError.write(Data(("warning: " + s + "\n").utf8)) }
}
