// `bench reproduce`: every command behind results/ (ReproducePlan), with the predicted time first, run resumably and
// shardably in children of this executable, then the results page's tables and the plots regenerated.
import ArgumentParser
import BenchKit
import Engine
import Foundation

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rerun every command behind results/ (predicted time first; resumable, shardable), then regenerate tables and plots.",
        discussion: """
            Runs each file's command with --resume: a configuration whose row in the file was measured by this \
            commit and build on this CPU with the same threads, BLAS kernels and steps is kept; every other one \
            (the committed rows of another machine or commit included) is measured again and its new row appended \
            beside the old ones, which the tables and plots then no longer show. The stability commands take no \
            --resume: they run whole every time and append a new run. With --shard i/N, only this shard's \
            configurations of each command run (the stability runs go to shard 0). Then runs \
            `bench table --markdown \(MarkdownReport.resultsPage)` and `bench plot`. The predicted time is for what \
            would run (rows --resume keeps are not counted) and assumes the achieved throughput is 70% of this \
            machine's SGEMM rate.
            """)

    @Flag(help: "Only print the plan with its predicted time.")
    var dryRun = false
    @Option(help: "Run shard i of N (0 <= i < N) of every command's configurations.")
    var shard: Parsed<ShardSpec>?
    @Option(help: "Only the entries whose file contains this text (e.g. budget, stability).")
    var only: String?
    @Option(help: "Rewrite the table of files and commands between the reproduce markers of this file, and stop.")
    var markdown: String?

    /// Achieved training throughput as a fraction of SGEMM, for the time estimate (measured here: 0.6-0.9).
    static let efficiency = 0.7

    mutating func validate() throws {
        try checkingOptions { try shard?.check(option: "--shard") }
    }

    func run() throws {
        try reportingErrors {
            if let markdown {
                guard let doc = try? String(contentsOfFile: markdown, encoding: .utf8) else { throw BenchError("cannot read '\(markdown)'") }
                let updated = try ReproducePlan.splice(into: doc)
                // --dry-run changes nothing: it says whether the file would change.
                if dryRun { print(updated == doc ? "\(markdown) is up to date" : "would update \(markdown) (--dry-run: not written)"); return }
                try updated.write(toFile: markdown, atomically: true, encoding: .utf8)
                print("updated \(markdown)")
                return
            }
            let shardValue = shard?.value
            let entries = ReproducePlan.entries.filter { only == nil || $0.file.contains(only!) }
            if entries.isEmpty { throw BenchError("--only '\(only ?? "")' matches no file of the plan") }
            let sgemm = Calibration.sgemmReference(threads: System.coreCount)
            let env = EnvironmentInfo.current()
            var rows = [["file", "command", "predicted"]]
            var total = 0.0
            for e in entries {
                let work = try predictedWork(e, env: env)
                let seconds = 2 * work / (Self.efficiency * sgemm * 1e9)
                total += seconds
                rows.append([e.file, e.arguments.joined(separator: " "), Format.duration(seconds)])
            }
            print(TextTable.render(rows))
            print("predicted: \(Format.duration(total)) in all (SGEMM \(Int(sgemm)) GFLOP/s here, \(Int(Self.efficiency * 100))% of it achieved)"
                  + (shardValue.map { "; shard \($0) runs about 1/\($0.count) of the shardable part" } ?? ""))
            if dryRun { return }
            for e in entries {
                if !e.shardable, let s = shardValue, s.index != 0 { continue }
                var args = e.arguments + ["--output", "results/" + e.file]
                if e.shardable { args += ["--resume"] + (shard.map { ["--shard", $0.text] } ?? []) }
                print("\n== \(e.file): bench \(args.joined(separator: " "))")
                try runChild(args, passthrough: true)
            }
            try runChild(["table", "--markdown", MarkdownReport.resultsPage], passthrough: true)
            try runChild(["plot"], passthrough: true)
        }
    }

    /// The entry's predicted work (MACs x batch x passes x steps) of what it would run, asked in process of its own
    /// command, parsed from the entry's arguments as the child would parse them: with --resume (shardable entries)
    /// without the rows of its file that this code measured here already (`env`).
    func predictedWork(_ e: ReproduceEntry, env: EnvironmentInfo) throws -> Double {
        guard let command = try Bench.parseAsRoot(e.arguments) as? PredictsWork else {
            throw BenchError("\(e.file): bench \(e.arguments.first ?? "") cannot predict its work")
        }
        return e.shardable ? try command.predictedWork(resumingInto: "results/" + e.file, env: env) : try command.predictedWork()
    }

    /// Runs this executable with `args`; returns its stdout (or streams it), and fails when it fails.
    @discardableResult
    func runChild(_ args: [String], passthrough: Bool) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ChildRunner.executablePath)
        p.arguments = args
        p.environment = ParentLifetime.childEnvironment()
        let pipe = Pipe()
        if !passthrough { p.standardOutput = pipe }
        try p.run()
        let data = passthrough ? Data() : pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw BenchError("bench \(args.first ?? "") exited with status \(p.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}
