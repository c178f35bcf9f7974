// `bench predict`: the memory model's forecast for a configuration, without running it.
import ArgumentParser
import BenchKit
import Engine
import Models

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict a training step's peak memory per variant from the layer definitions, without running it.",
        discussion: "Works for configurations too large for this machine (e.g. --depth 192). Agrees with the ledger within 1% on the tested shapes.")

    @OptionGroup var preset: ModelOptions
    @Option(parsing: .unconditional, help: "Batch size.")
    var batch = 8
    @Option(parsing: .unconditional, help: "Variants, comma-separated.")
    var variants: Parsed<Variants> = "standard,reversible,checkpointed"
    @OptionGroup var sizes: SizeOptions

    mutating func validate() throws {
        try checkingOptions { try variants.check(option: "--variants") }
    }

    func run() throws {
        try reportingErrors {
            if batch < 1 { throw BenchError("--batch must be a positive integer, got \(batch)") }
            let config = try preset.configuration(sizes)
            let list = variants.value
            var rows = [[Column.variant.rawValue, Column.params.rawValue, "baseline GiB", "step GiB", "peak GiB", "MiB/img"]]
            for v in list {
                let size = try SizeCheck.check(config, variant: v, batch: batch, workers: System.coreCount)
                let params = size.parameterCount, p = size.prediction
                rows.append([v.rawValue, "\(params)", Format.gib(p.baselineBytes), Format.gib(p.stepBytes),
                             Format.gib(p.peakBytes), Format.mib(Double(p.stepBytes) / Double(batch))])
            }
            print("\(config.model): depth \(config.depth), width \(config.width), heads \(config.heads), "
                  + "\(config.imageSize)x\(config.imageSize), patch \(config.patchSize), \(config.attention.rawValue) attention, "
                  + "batch \(batch) (predicted, AdamW)")
            print(TextTable.render(rows, rightAligned: Set(1..<6)))
        }
    }
}
