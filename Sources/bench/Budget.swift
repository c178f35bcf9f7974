// `bench budget`: largest batch under a memory budget per variant and depth, and images/s at that batch.
import ArgumentParser
import BenchKit
import Engine
import Foundation
import Models

struct Budget: ParsableCommand {
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
        try reportingErrors {
            try memory.check(option: "--memory")
            try depths.check(option: "--depths")
            try models.check(option: "--models")
        }
    }

    func run() throws {
        try reportingErrors {
            let budget = memory.value
            if let available = ProcessMemory.availableBytes(), budget > available, !measure.force {
                throw BenchError("--memory \(memory) is more than the \(Format.gib(available)) GiB available; "
                                 + "scale the budget down (e.g. --memory 2GiB) or use --force")
            }
            let depthList = depths.value
            let modelList = models.value
            for m in modelList { _ = try Presets.named(m) }
            let threads = try measure.threadCount()
            let variants = measure.variants.value
            let env = EnvironmentInfo.current()
            // --resume: the (configuration, variant) pairs with a successful row under this budget and build.
            var done = Set<String>()
            if measure.resume, FileManager.default.fileExists(atPath: measure.output) {
                done = Set(try ResultsFile.read(measure.output).filter { !$0.failed && $0.build == env.build && $0.memoryBudgetBytes == budget }
                    .map { "\($0.configuration) \($0.variant.rawValue)" })
            }
            let say: (String) -> Void = { if !measure.quiet { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } }
            var rows: [RunRecord] = []
            // (model, depth) units; with --shard, this machine's share, balanced by the work at the predicted batches.
            var units = try modelList.flatMap { m in try depthList.map { try sizes.configuration(m, depth: $0) } }
            func works() throws -> [Double] {
                try units.map { c -> Double in
                    try variants.map { v -> Double in
                        let r = RunRequest(c, variant: v, batch: 1,
                                           steps: measure.steps, warmup: measure.warmup, threads: threads)
                        let params = try SizeCheck.check(c, variant: v, batch: 1, workers: threads).parameterCount
                        let batch = BudgetExperiment.predictedMaxBatch(c, variant: v, parameterCount: params, budget: budget,
                                                                       workers: threads)
                        return try r.predictedWork() * Double(max(batch, 1))
                    }.reduce(0, +)
                }
            }
            if measure.printedPredictedWork(try works().reduce(0, +) * Double(try measure.roundCount(default: 1))) { return }
            if let shard = measure.shard?.value {
                units = shard.select(units, works: try works())
                say("shard \(shard): \(units.count) of \(modelList.count * depthList.count) model-depth pairs")
            }
            // The request of one unit and variant, and its key among the rows --resume found.
            func request(_ c: ModelConfiguration, _ v: Variant) -> RunRequest {
                RunRequest(c, variant: v, batch: 1,
                           steps: measure.steps, warmup: measure.warmup, threads: threads, seed: measure.seed)
            }
            func isDone(_ r: RunRequest) -> Bool {
                var key = RunRecord(request: r)
                key.memoryBudgetBytes = budget
                return done.contains("\(key.configuration) \(r.variant.rawValue)")
            }
            try ResultsFile.checkTarget(measure.output)
            // Opening the output checks it (and creates its header) before anything is measured or printed; a
            // resumed run with nothing left to measure leaves the file as it is.
            let pending = units.contains { c in variants.contains { !isDone(request(c, $0)) } }
            let file = pending ? try ResultsFile(path: measure.output) : nil
            if let upgrade = file?.upgradeNote { FileHandle.standardError.write(Data((upgrade + "\n").utf8)) }
            say("budget \(Format.gib(budget)) GiB" + (budget < 16 << 30 ? " (scaled down from the paper's 16 GiB-class device)" : ""))
            if let advice = BLASEnvironment.advice() { say("note: " + advice) }
            let total = units.count * variants.count
            let sgemm = Calibration.sgemmReference(threads: threads)
            for c in units {
                do {
                    for v in variants {
                        let template = request(c, v)
                        if isDone(template) {
                            say("\(template.model) depth \(c.depth) \(v.rawValue): already in \(measure.output) (--resume)")
                            continue
                        }
                        say("[\(rows.count + 1)/\(total)] \(template.model) depth \(c.depth) \(v.rawValue)")
                        var row = try BudgetExperiment.measure(template, budget: budget, quiet: measure.quiet,
                                                               rounds: try measure.roundCount(default: 1), log: say)
                        BenchSession.addEnvironment(&row, env)
                        row.sgemmGFLOPs = (sgemm * 10).rounded() / 10
                        try file?.append(row)
                        rows.append(row)
                    }
                }
            }
            print(BudgetTable.render(rows))
        }
    }
}
