// `bench budget`: largest batch under a memory budget per variant and depth, and images/s at that batch. Parses
// and prints; the session (`BenchSession.run(_:measuring:)` with a `BudgetExperiment`) resumes, shards, measures
// and writes.
import ArgumentParser
import BenchKit
import Models

struct Budget: ParsableCommand, PredictsWork {
    static let configuration = CommandConfiguration(
        abstract: "The paper's throughput experiment: max batch under a memory budget per variant and depth, and images/s at it.",
        discussion: """
            The paper's budget is a 16 GiB-class accelerator. On a CPU the largest batches take minutes per step, so \
            the budget can be scaled down (e.g. --memory 2GiB): the comparison between variants keeps its shape.
            """)

    @Option(parsing: .unconditional, help: "Memory budget for parameters, gradients, AdamW state, input and the step's activations (e.g. 16GiB, 2GiB).")
    var memory: Parsed<ByteSize> = "16GiB"
    @Option(parsing: .unconditional, help: "Depths, comma-separated.")
    var depths: Parsed<PositiveIntegers> = "12,24,48,96"
    @Option(parsing: .unconditional, help: "Model presets, comma-separated.")
    var models: Parsed<Names> = "vit_small_patch16_224"
    @OptionGroup var sizes: SizeOptions
    @OptionGroup var measure: MeasureOptions

    mutating func validate() throws {
        try checkingOptions {
            try memory.check(option: "--memory")
            try depths.check(option: "--depths")
            try models.check(option: "--models")
            try Names.refuseSamePair(models.value, option: "--models")
        }
    }

    /// One unit per (model, depth): its variants, each to be measured at the largest batch the budget allows.
    func units() throws -> [[RunRequest]] {
        for m in models.value { _ = try Presets.named(m) }
        let threads = try measure.threadCount()
        return try models.value.flatMap { m in
            try depths.value.map { d in
                let c = try sizes.configuration(m, depth: d)
                return measure.variants.value.map { v in
                    RunRequest(c, variant: v, batch: 1, steps: measure.steps, warmup: measure.warmup, threads: threads,
                               seed: measure.seed)
                }
            }
        }
    }

    func predictedWork() throws -> Double {
        try BudgetExperiment.predictedWork(try units().flatMap { $0 }, budget: memory.value) * Double(try measure.roundCount(default: 1))
    }

    func predictedWork(resumingInto output: String, env: EnvironmentInfo) throws -> Double {
        let left = try BenchSession.notYetMeasured(units(), in: output, by: BudgetExperiment(budget: memory.value), env: env).units
        return try BudgetExperiment.predictedWork(Array(left.joined()), budget: memory.value) * Double(try measure.roundCount(default: 1))
    }

    func run() throws {
        try reportingErrors {
            let budget = memory.value
            let units = try units()
            let rounds = try measure.roundCount(default: 1)
            let rows = try BenchSession(outputPath: measure.output, quiet: measure.quiet, force: measure.force, rounds: rounds,
                                        resume: measure.resume, shard: measure.shard?.value)
                .run(units, measuring: BudgetExperiment(budget: budget))
            print(BudgetTable.render(rows))
        }
    }
}
