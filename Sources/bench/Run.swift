// `bench run` (the default subcommand): one model's variants at matched settings, then a comparison table.
import ArgumentParser
import BenchKit
import Engine
import Models

struct Run: ParsableCommand, PredictsWork {
    static let configuration = CommandConfiguration(
        abstract: "Train the standard, reversible and checkpointed variants of one model and compare memory and speed.",
        discussion: "Each configuration runs in a fresh child process; each measured row is appended to --output at once.")

    @Option(parsing: .unconditional, help: "Model preset (see `bench list`); a rev_ name selects the same pair.")
    var model = "vit_small_patch16_224"
    @Option(parsing: .unconditional, help: "Depth in blocks (overrides the preset).")
    var depth: Int?
    @Option(parsing: .unconditional, help: "Batch size, or a comma-separated list (e.g. 2,8) to also measure memory per additional image.")
    var batch: Parsed<PositiveIntegers> = "8"
    @OptionGroup var sizes: SizeOptions
    @OptionGroup var measure: MeasureOptions

    mutating func validate() throws {
        try checkingOptions { try batch.check(option: "--batch") }
    }

    /// Every batch and variant of the one resolved configuration.
    func requests() throws -> [RunRequest] {
        let threads = try measure.threadCount()
        let configuration = try sizes.configuration(model, depth: depth)
        return batch.value.flatMap { b in
            measure.variants.value.map { v in
                RunRequest(configuration, variant: v, batch: b, steps: measure.steps,
                           warmup: measure.warmup, threads: threads, seed: measure.seed)
            }
        }
    }

    func predictedWork() throws -> Double {
        try requests().map { try $0.predictedWork() }.reduce(0, +) * Double(try measure.roundCount(default: 3))
    }

    func predictedWork(resumingInto output: String, env: EnvironmentInfo) throws -> Double {
        let left = try BenchSession.notYetMeasured(BenchSession.configurationGroups(requests()), in: output,
                                                   by: FixedBatchExperiment(), env: env).units
        return try left.joined().map { try $0.predictedWork() }.reduce(0, +) * Double(try measure.roundCount(default: 3))
    }

    func run() throws {
        try reportingErrors {
            let requests = try requests()
            let configuration = requests[0].configuration, threads = requests[0].threads
            let rounds = try measure.roundCount(default: 3)
            let session = BenchSession(outputPath: measure.output, quiet: measure.quiet, force: measure.force,
                                       rounds: rounds, resume: measure.resume, shard: measure.shard?.value)
            let rows = try session.run(requests)
            let c = configuration
            print("\n\(c.model): depth \(c.depth), width \(c.width), heads \(c.heads), \(c.imageSize)x\(c.imageSize), "
                  + "patch \(c.patchSize), \(c.attention.rawValue) attention, \(threads) threads, \(EnvironmentInfo.buildConfiguration)")
            // The machine's SGEMM rate at the same threads, measured before the runs (warmed, best of five medians).
            let shown = try session.summaryRows(requests, measured: rows)
            print(shown.isEmpty ? "nothing measured (every configuration of this shard was skipped)" : ComparisonTable.render(shown))
            if let sgemm = rows.compactMap(\.sgemmGFLOPs).first {
                print(String(format: "SGEMM 1576x384x1152 on this machine: %.0f GFLOP/s at %d threads, measured before the runs", sgemm, threads))
            }
            if rows.contains(where: \.failed) { throw ExitCode.failure }
        }
    }
}
