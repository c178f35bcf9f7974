// `bench sweep`: the same measurement over lists of models, depths, batch sizes and variants.
import ArgumentParser
import BenchKit
import Engine
import Models

struct Sweep: ParsableCommand, PredictsWork {
    static let configuration = CommandConfiguration(
        abstract: "Measure every combination of models, depths, batch sizes and variants, one CSV row each.")

    @Option(parsing: .unconditional, help: "Model presets, comma-separated.")
    var models: Parsed<Names> = "vit_small_patch16_224"
    @Option(parsing: .unconditional, help: "Depths, comma-separated (default: each preset's own depth).")
    var depths: Parsed<PositiveIntegers>?
    @Option(parsing: .unconditional, help: "Batch sizes, comma-separated.")
    var batches: Parsed<PositiveIntegers> = "2,8"
    @OptionGroup var sizes: SizeOptions
    @OptionGroup var measure: MeasureOptions

    mutating func validate() throws {
        try checkingOptions {
            try models.check(option: "--models")
            try Names.refuseSamePair(models.value, option: "--models")
            try depths?.check(option: "--depths")
            try batches.check(option: "--batches")
        }
    }

    /// Every model, depth, batch and variant; each (model, depth) configuration resolved once.
    func requests() throws -> [RunRequest] {
        let modelList = models.value
        for m in modelList { _ = try Presets.named(m) }
        let depthList: [Int?] = depths?.value.map { $0 } ?? [nil]
        let batchList = batches.value
        let threads = try measure.threadCount()
        let variants = measure.variants.value
        var requests: [RunRequest] = []
        for m in modelList {
            for d in depthList {
                let configuration = try sizes.configuration(m, depth: d)
                for b in batchList {
                    for v in variants {
                        requests.append(RunRequest(configuration, variant: v, batch: b,
                                                   steps: measure.steps, warmup: measure.warmup,
                                                   threads: threads, seed: measure.seed))
                    }
                }
            }
        }
        return requests
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
            let rounds = try measure.roundCount(default: 3)
            let session = BenchSession(outputPath: measure.output, quiet: measure.quiet, force: measure.force,
                                       rounds: rounds, resume: measure.resume, shard: measure.shard?.value)
            let rows = try session.run(requests)
            let shown = try session.summaryRows(requests, measured: rows)
            print(shown.isEmpty ? "nothing measured (every configuration of this shard was skipped)" : ComparisonTable.render(shown))
            if rows.contains(where: \.failed) { throw ExitCode.failure }
        }
    }
}
