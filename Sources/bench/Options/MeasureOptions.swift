// The options of every command that measures: steps, threads, variants, output, rounds, shard, resume.
import ArgumentParser
import BenchKit
import Engine
import Models
import Foundation

/// How runs are measured and where rows go.
struct MeasureOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Timed training steps per configuration.")
    var steps = 3
    @Option(parsing: .unconditional, help: "Untimed warm-up steps before the timed ones.")
    var warmup = 1
    @Option(parsing: .unconditional, help: "Threads for BLAS and elementwise kernels (default: all cores).")
    var threads: Int?
    @Option(parsing: .unconditional, help: "Variants to measure, comma-separated: standard, reversible, checkpointed.")
    var variants: Parsed<Variants> = "standard,reversible,checkpointed"
    @Option(parsing: .unconditional, help: "Seed for weights and synthetic data.")
    var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "CSV file the rows are appended to.")
    var output = "results/runs.csv"
    @Flag(help: "Print only the result table (no progress or step log).")
    var quiet = false
    @Flag(help: "Run even when the predicted peak memory exceeds available memory.")
    var force = false
    @Option(parsing: .unconditional, help: "Run shard i of N (0 <= i < N) of the configurations, balanced by predicted work: the same command with i = 0...N-1 on N machines covers the sweep once (join the CSVs with bench merge).")
    var shard: Parsed<ShardSpec>?

    /// Checks the counts and parses the typed options (one `error:` line and exit 64 for a bad one).
    mutating func validate() throws {
        try checkingOptions {
            try validateCounts()
            try variants.check(option: "--variants")
            try shard?.check(option: "--shard")
        }
    }

    @Flag(help: "Skip configurations whose successful rows are already in --output from this commit and build, on this CPU with the same BLAS kernels, threads, warm-up and steps, so an interrupted run or sweep continues where it stopped; rows of another machine, commit or settings are measured again.")
    var resume = false
    @Option(parsing: .unconditional, help: "Rounds per configuration: each runs every variant once, in rotating order, a fresh child each; images/s is the median over all rounds' steps, with the per-round range (default 3 for run and sweep, 1 for budget).")
    var rounds: Int?

    /// `rounds`, or the command's default, checked.
    func roundCount(default value: Int) throws -> Int {
        let r = rounds ?? value
        if r < 1 || r > 100 { throw BenchError("--rounds \(r) is outside 1...100") }
        return r
    }

    func threadCount() throws -> Int { try Self.threads(threads) }

    /// `threads`, checked against the machine's cores (nil means all cores).
    static func threads(_ threads: Int?) throws -> Int {
        let cores = System.coreCount
        guard let t = threads else { return cores }
        if t < 1 || t > cores {
            throw BenchError("--threads \(t) is outside 1...\(cores) (this machine has \(cores) cores)")
        }
        return t
    }

    /// The most timed or warm-up steps a run takes.
    static let largestSteps = 1_000_000

    func validateCounts() throws {
        // A million steps is days of the largest preset; more is a typo, not a measurement.
        if steps < 1 { throw BenchError("--steps must be a positive integer, got \(steps)") }
        if steps > Self.largestSteps { throw BenchError("--steps \(steps) is outside 1...\(Self.largestSteps)") }
        if warmup < 0 { throw BenchError("--warmup must be 0 or more, got \(warmup)") }
        if warmup > Self.largestSteps { throw BenchError("--warmup \(warmup) is outside 0...\(Self.largestSteps)") }
    }
}
