// `bench baseline`: measures the CI preset and writes the baseline bench check compares with.
import ArgumentParser
import BenchKit
import Engine
import Foundation

/// `bench baseline`: the CI preset measured and written as the baseline.
struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the CI baseline.", subcommands: [Update.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite the baseline from a fresh run of the CI preset and print what changed.")

        @Option(help: "Baseline CSV to rewrite.")
        var baseline = "results/baseline/ci.csv"
        @Flag(help: "Print only the result.")
        var quiet = false

        func run() throws {
            try reportingErrors {
                // The target is checked before anything runs: a folder, a named pipe, or a file bench cannot fully
                // read back is refused. The old rows are remeasured and compared below: every one not measured again
                // is named in the changes printed, so the replace loses nothing unsaid.
                let old = try ResultsFile.checkReplaceable(baseline, option: "--baseline")
                // So is the peak attribution written beside it.
                let peak = PeakAttributionCheck.peakPath(forBaseline: baseline)
                try PeakAttributionCheck.checkBaselineTarget(peak, option: "--baseline")
                let tmp = NSTemporaryDirectory() + "revbench-baseline-\(getpid()).csv"
                TemporaryFiles.register(tmp)
                defer { try? FileManager.default.removeItem(atPath: tmp); TemporaryFiles.unregister(tmp) }
                var session = BenchSession(outputPath: tmp, quiet: quiet, force: false)
                session.resumable = false   // measured afresh: no journal of rounds, no --resume advice
                let rows = try session.run(try CIPreset.requests())
                if let failed = rows.first(where: \.failed) {
                    throw BenchError("baseline not updated: a configuration failed: \(failed.error ?? "")")
                }
                // The old rows the comparison does not stand for (older rows of a configuration measured again, and
                // failed rows) are replaced too: say how many, so nothing goes unsaid.
                let compared = old.newestRows().rows.filter { !$0.failed }.count
                if old.count > compared {
                    print("the previous baseline's \(old.count - compared) older or failed row\(old.count - compared == 1 ? "" : "s") "
                          + "(not compared) are replaced as well")
                }
                if old.isEmpty {
                    print("new baseline: \(rows.count) rows")
                } else if let table = RegressionCheck.render(RegressionCheck.compare(baseline: old, current: rows)) {
                    print("changes against the previous baseline:\n" + table)
                } else {
                    print("no change in memory against the previous baseline")
                }
                // One rename of a finished temporary beside the baseline: the old baseline stays whole until then.
                guard let text = try? String(contentsOfFile: tmp, encoding: .utf8) else { throw BenchError("cannot read back '\(tmp)'") }
                try ResultsFile.replace(baseline, with: text, option: "--baseline")
                print("wrote \(baseline)")
                // The peak attribution bench check diffs scope by scope when ledger bytes change.
                try PeakAttributionCheck.writeBaseline(peak, option: "--baseline", quiet: quiet)
                print("wrote \(peak)")
            }
        }
    }
}
