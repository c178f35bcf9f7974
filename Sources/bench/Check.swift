// `bench check`: run the CI preset (or read a CSV) and compare it with a committed baseline; exit 1 on regression.
import ArgumentParser
import BenchKit
import Engine
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the CI preset's memory and speed with a baseline CSV; exit 1 when memory regressed.",
        discussion: """
            Fails when: ledger activation bytes (per image or peak) change at all; jemalloc's step peak grows > 5% + 64 KiB \
            (its thread peak is sampled every 64 KiB); \
            the standard/reversible memory ratio falls > 2%; reversible activation memory grows with depth; or a \
            baseline row is not measured. The reversible/standard images/s ratio only warns outside +-50%. When ledger \
            bytes changed, the changed configurations are profiled and their peak attribution is diffed, scope by \
            scope, against the one stored beside the baseline (NAME-peak.csv for NAME.csv: ci-peak.csv, written by \
            `bench baseline update`).
            """)

    @Option(help: "Baseline CSV to compare with.")
    var baseline = "results/baseline/ci.csv"
    @Option(help: "Compare this CSV instead of running the CI preset.")
    var current: String?
    @Option(help: "Where the CI preset's rows go when it runs (default: a temporary file).")
    var output: String?
    @Flag(help: "Print only the result.")
    var quiet = false
    @Option(help: "Peak attribution stored with the baseline, diffed scope by scope when ledger bytes change (default: NAME-peak.csv beside --baseline NAME.csv, e.g. ci-peak.csv).")
    var peakBaseline: String?

    /// Options that would be ignored are refused: --output and --peak-baseline only act when check runs the CI
    /// preset, and a --peak-baseline named explicitly must exist (the default one may be absent: no diff then).
    mutating func validate() throws {
        try checkingOptions {
            if current != nil, let output {
                throw BenchError("--output \(output) does not apply with --current: check runs nothing then, so it writes no rows")
            }
            if current != nil, let peakBaseline {
                throw BenchError("--peak-baseline \(peakBaseline) does not apply with --current: the peak attribution is "
                                 + "diffed only for configurations check profiles itself")
            }
            if let peakBaseline, !FileManager.default.fileExists(atPath: peakBaseline) {
                throw BenchError("--peak-baseline '\(peakBaseline)' does not exist (bench baseline update writes it)")
            }
        }
    }

    func run() throws {
        try reportingErrors {
            let baseRows = try ResultsFile.read(baseline)
            guard !baseRows.isEmpty else { throw BenchError("baseline '\(baseline)' has no rows") }
            let currentRows: [RunRecord]
            if let current {
                currentRows = try ResultsFile.read(current)
            } else {
                // Without --output the rows go to a temporary file that is removed once they are read back (or
                // when the command is interrupted).
                let path = output ?? NSTemporaryDirectory() + "revbench-check-\(getpid()).csv"
                if output == nil { TemporaryFiles.register(path) }
                defer { if output == nil { try? FileManager.default.removeItem(atPath: path); TemporaryFiles.unregister(path) } }
                var session = BenchSession(outputPath: path, quiet: quiet, force: false)
                session.resumable = false   // check has no --resume: no journal of rounds, no --resume advice
                currentRows = try session.run(try CIPreset.requests())
            }
            let findings = RegressionCheck.compare(baseline: baseRows, current: currentRows)
            if let table = RegressionCheck.render(findings) { print(table) }
            let peakPath = peakBaseline ?? PeakAttributionCheck.peakPath(forBaseline: baseline)
            let regressed = PeakAttributionCheck.regressed(try CIPreset.requests(), findings: findings)
            if current == nil, !regressed.isEmpty, FileManager.default.fileExists(atPath: peakPath) {
                if !quiet { print("profiling the \(regressed.count) configuration(s) whose ledger bytes changed...") }
                let changes = PeakAttributionCheck.changes(baseline: try ProfileExperiment.readPeak(peakPath),
                                                           current: try PeakAttributionCheck.profile(regressed, quiet: quiet))
                print(PeakAttributionCheck.render(changes))
            }
            print(RegressionCheck.summary(findings, compared: baseRows.filter { !$0.failed }.count))
            if findings.contains(where: { $0.severity == .failure }) { throw ExitCode.failure }
        }
    }
}
