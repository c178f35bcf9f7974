// `bench measure-one` (hidden): the child process side of a run. Measures one configuration in this process and
// prints its row as a marked JSON line.
import ArgumentParser
import BenchKit
import Models

struct MeasureOne: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ChildRunner.subcommand,
        abstract: "Measure one configuration in this process (used by run and sweep).",
        shouldDisplay: false)

    @Option(help: "Model preset.") var model: String
    @Option(help: "Variant.") var variant: String
    @Option(help: "Batch size.") var batch: Int
    @Option(help: "Timed steps.") var steps: Int
    @Option(help: "Warm-up steps.") var warmup: Int
    @Option(help: "Threads.") var threads: Int
    @Option(help: "Seed.") var seed: UInt64
    @Option(help: "Depth override.") var depth: Int?
    @OptionGroup var sizes: SizeOptions
    @Flag(help: "No step log.") var quiet = false

    func run() throws {
        try reportingErrors {
            guard let v = Variant(rawValue: variant) else { throw BenchError("unknown variant '\(variant)'") }
            let request = RunRequest(model: model, overrides: try sizes.overrides(depth: depth), variant: v, batch: batch,
                                     steps: steps, warmup: warmup, threads: threads, seed: seed)
            try ChildRunner.childMain(request, quiet: quiet)
        }
    }
}
