// What --resume matches a row by: a row counts as already measured only when the same code measured the same
// configuration on the same machine with the same settings that change its figures. Rows committed from another
// commit or CPU (a fresh clone's results/) are not this machine's measurement, so they are measured again.
import Foundation
import Models

/// The identity of a measurement for --resume, read from a row: every field must be equal.
struct ResumeKey: Hashable {
    /// The configuration (a budget experiment's budget included) and the variant: what was measured.
    var configuration: RunConfiguration
    var variant: Variant
    /// The code: how bench was compiled and its commit (`git_sha`, `-dirty` included).
    var build: String?
    var gitSHA: String?
    /// The machine: the CPU's description (model name, family, model, stepping) and the BLAS kernel set in force.
    var cpu: String?
    var blas: String?
    /// The settings that change the figures: threads (the speed), warm-up and timed steps (what the median is over).
    /// The seed is not a column (it changes the numbers drawn, not the memory or the speed), and neither are the
    /// rounds matched (a row may hold fewer rounds than asked when its later rounds had nothing to measure).
    var threads: Int?
    var warmup: Int?
    var steps: Int?

    /// The key of `row` as written.
    init(_ row: RunRecord) {
        configuration = row.configuration; variant = row.variant
        build = row.build; gitSHA = row.gitSHA; cpu = row.cpu; blas = row.blas
        threads = row.threads; warmup = row.warmup; steps = row.steps
    }

    /// The key the row of `record` (a request's record, not yet measured) will have when measured in `env`.
    init(wanted record: RunRecord, in env: EnvironmentInfo) {
        var stamped = record
        env.stamp(&stamped)
        self.init(stamped)
    }
}

extension BenchSession {
    /// `units` without the requests whose successful row of the same `ResumeKey` is in `outputPath` (all of
    /// them when it does not exist), and how many of the requests left have a row there of another commit,
    /// machine or settings (measured again, not resumed).
    public static func notYetMeasured(_ units: [[RunRequest]], in outputPath: String, by experiment: some SessionExperiment,
                                      env: EnvironmentInfo) throws -> (units: [[RunRequest]], elsewhere: Int) {
        guard FileManager.default.fileExists(atPath: outputPath) else { return (units, 0) }
        return notYetMeasured(units, among: try ResultsFile.read(outputPath).filter { !$0.failed }, by: experiment, env: env)
    }

    /// The same, among the output's successful `rows` already read.
    static func notYetMeasured(_ units: [[RunRequest]], among rows: [RunRecord], by experiment: some SessionExperiment,
                               env: EnvironmentInfo) -> (units: [[RunRequest]], elsewhere: Int) {
        let done = Set(rows.map(ResumeKey.init))
        let measured = Dictionary(rows.map { ($0.configuration, Set([$0.variant])) }, uniquingKeysWith: { $0.union($1) })
        var elsewhere = 0
        let left = units.map { unit in
            unit.filter { r in
                let record = experiment.resumeRecord(r)
                if done.contains(ResumeKey(wanted: record, in: env)) { return false }
                if measured[record.configuration]?.contains(record.variant) == true { elsewhere += 1 }
                return true
            }
        }
        return (left, elsewhere)
    }
}
