// `bench stability`: reconstruction and gradient error of reversible backprop by depth and through training.
import ArgumentParser
import BenchKit
import Engine
import Foundation
import Models

struct StabilityCommand: ParsableCommand, PredictsWork {
    static let configuration = CommandConfiguration(
        commandName: "stability",
        abstract: "How exact reversible backprop is: reconstruction and gradient error by depth and training step.",
        discussion: """
            For each depth the reversible twin trains --steps AdamW steps on seeded synthetic data. At step 0, every \
            --measure-every steps and at the end, one probe batch runs through the recompute backward and through \
            store-everything backprop on the same weights and drop-path masks: per block, how well the inputs were \
            rebuilt; overall and per tensor, how far the gradients differ. One CSV row per depth and measured step; \
            the SVG charts are rewritten from all rows of --output.
            """)

    @Option(parsing: .unconditional, help: "Model preset (see `bench list`); its reversible twin is trained.")
    var model = "vit_small_patch16_224"
    @Option(parsing: .unconditional, help: "Depths, comma-separated.")
    var depths: Parsed<PositiveIntegers> = "12,24,48,96"
    @Option(parsing: .unconditional, help: "Training steps per depth.")
    var steps = 300
    @Option(parsing: .unconditional, help: "Measure every this many steps (and at step 0 and the last).")
    var measureEvery = 50
    @Option(parsing: .unconditional, help: "Batch size of the training steps and of the probe batch.")
    var batch = 8
    @Option(parsing: .unconditional, help: "AdamW learning rate.")
    var lr: Float = 1e-4
    @Option(parsing: .unconditional, help: "Threads for BLAS and elementwise kernels (default: all cores).")
    var threads: Int?
    @Option(parsing: .unconditional, help: "Seed for weights and synthetic data.")
    var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "CSV file the rows are appended to.")
    var output = "results/stability/stability.csv"
    @Option(parsing: .unconditional, help: "Folder the SVG charts are written to (default: results/plots for an --output under results/, otherwise the folder of --output).")
    var plots: String?
    @OptionGroup var sizes: SizeOptions
    @Flag(help: "Print only the summary (no per-measurement log).")
    var quiet = false
    @Flag(help: "Run even when the predicted peak memory exceeds available memory.")
    var force = false

    mutating func validate() throws {
        try checkingOptions { try depths.check(option: "--depths") }
    }

    /// The request: the options checked, one resolved configuration per depth, each size checked.
    func request() throws -> StabilityRequest {
        if steps < 0 { throw BenchError("--steps must be 0 or more, got \(steps)") }
        if steps > MeasureOptions.largestSteps { throw BenchError("--steps \(steps) is outside 0...\(MeasureOptions.largestSteps)") }
        if measureEvery < 1 { throw BenchError("--measure-every must be a positive integer, got \(measureEvery)") }
        if batch < 1 { throw BenchError("--batch must be a positive integer, got \(batch)") }
        if !(lr > 0 && lr < 1) { throw BenchError("--lr must be in (0, 1), got \(lr)") }
        try sizes.checkPositive(depth: nil)
        let depthList = depths.value
        let threadCount = try MeasureOptions.threads(threads)
        let request = StabilityRequest(configurations: try depthList.map { try sizes.configuration(model, depth: $0) },
                                       steps: steps, measureEvery: measureEvery, batch: batch, learningRate: lr,
                                       threads: threadCount, seed: seed)
        for c in request.configurations { _ = try SizeCheck.check(c, variant: .reversible, batch: batch, workers: threadCount) }
        return request
    }

    func predictedWork() throws -> Double { try request().predictedWork }

    func run() throws {
        try reportingErrors {
            let request = try request()
            let rows = try BenchSession(outputPath: output, quiet: quiet, force: force).runStability(request)
            print(StabilityTable.render(rows))
            let all = try ResultsFile.read(StabilityRecord.self, output, required: StabilityRecord.requiredColumns)
            let plots = Self.plotFolder(plots, output: output)
            do { try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true) }
            catch { throw BenchError("cannot create '\(plots)': \(error.localizedDescription)") }
            for (name, svg) in Stability.charts(all) {
                let path = (plots as NSString).appendingPathComponent(name)
                try svg.write(toFile: path, atomically: true, encoding: .utf8)
                print("wrote \(path)")
            }
        }
    }

    /// Where the charts go: --plots if given; the repository's results/plots for an output under results/ (the
    /// committed layout); otherwise beside the output, so a run elsewhere never touches the repository's charts.
    static func plotFolder(_ plots: String?, output: String) -> String {
        if let plots { return plots }
        let components = (output as NSString).standardizingPath.split(separator: "/")
        if components.count > 1, components.first == "results" { return "results/plots" }
        let folder = (output as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }
}
