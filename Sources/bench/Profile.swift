// `bench profile`: one training step of each variant profiled in a fresh child: the live-memory timeline and what
// holds the peak, scope by scope, written as CSV, SVG and text.
import ArgumentParser
import Foundation
import BenchKit
import Engine
import Models

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile the memory of one training step of each variant: the live-memory timeline and what holds the peak.",
        discussion: """
            Each variant runs in a fresh child process: warm-up steps, then one step with the ledger recording every \
            allocation and free (its scope: block, layer, role; its category; the step phase; the time). Writes to \
            --output: timeline.csv (live bytes after every event), peak.csv (what is live at each variant's peak; its \
            rows sum to the ledger's peak), end_of_forward.csv (what is live when forward ends: what the model keeps \
            for backward), timeline.svg, peak.svg and summary.txt (the text printed here).
            """)

    @Option(parsing: .unconditional, help: "Model preset (see `bench list`); a rev_ name selects the same pair.")
    var model = "vit_small_patch16_224"
    @Option(parsing: .unconditional, help: "Depth in blocks (overrides the preset).")
    var depth: Int?
    @Option(parsing: .unconditional, help: "Batch size.")
    var batch = 8
    @Option(parsing: .unconditional, help: "Variants to profile, comma-separated: standard, reversible, checkpointed.")
    var variants: Parsed<Variants> = "standard,reversible,checkpointed"
    @OptionGroup var sizes: SizeOptions
    @Option(parsing: .unconditional, help: "Warm-up steps before the profiled one (0...100).")
    var warmup = 1
    @Option(parsing: .unconditional, help: "Threads for BLAS and elementwise kernels (default: all cores).")
    var threads: Int?
    @Option(parsing: .unconditional, help: "Seed for weights and synthetic data.")
    var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Folder the profile's files are written to: a new or empty folder, or one holding a previous profile, which is replaced (default: results/profile/<model>_d<depth>_b<batch>, plus _fused, _recompute or any other setting that differs from the preset).")
    var output: String?
    @Option(parsing: .unconditional, help: "After the profiled step, time this many pairs of unprofiled and profiled steps (alternating which goes first) and report the profiling overhead in CPU seconds (0...100; 0: do not measure).")
    var overheadPairs = 0
    @Option(parsing: .unconditional, help: "A PyTorch breakdown (JSON from scripts/make_breakdown_fixtures.py, same model, batch and attention): print the standard variant's end-of-forward bytes per block and module beside it.")
    var torchBreakdown: String?
    @Flag(help: "Print only the summary (no progress or step log).")
    var quiet = false
    @Flag(help: "Profile even when the predicted peak memory exceeds available memory.")
    var force = false

    mutating func validate() throws {
        try checkingOptions {
            try variants.check(option: "--variants")
            if batch < 1 { throw BenchError("--batch must be a positive integer, got \(batch)") }
            if torchBreakdown != nil, !variants.value.contains(.standard) {
                throw BenchError("--torch-breakdown compares the standard variant; add standard to --variants '\(variants.text)'")
            }
            if !(0...100).contains(warmup) { throw BenchError("--warmup \(warmup) is outside 0...100") }
            if !(0...100).contains(overheadPairs) { throw BenchError("--overhead-pairs \(overheadPairs) is outside 0...100") }
        }
    }

    /// One request per variant, in the order given.
    func requests() throws -> [RunRequest] {
        let threads = try MeasureOptions.threads(threads)
        let configuration = try sizes.configuration(model, depth: depth)
        return try variants.value.map { v in
            let r = RunRequest(configuration, variant: v, batch: batch, steps: 1, warmup: warmup, threads: threads, seed: seed)
            _ = try r.checkedSize()
            return r
        }
    }

    /// --output, or the default folder named for the configuration.
    func outputFolder(_ r: RunRequest) throws -> String {
        if let output { return output }
        let preset = try Presets.configuration(model) { _ in }
        return (ProfileExperiment.defaultParent as NSString)
            .appendingPathComponent(ProfileExperiment.defaultFolderName(r.configuration, batch: batch, preset: preset))
    }

    func run() throws {
        try reportingErrors {
            let requests = try requests()
            let torch = try torchBreakdown.map(TorchBreakdown.read)
            if let torch {
                // A breakdown of another model or depth would be compared block by block with nothing (-100%).
                let c = requests[0].configuration
                let torchDepth = Set(torch.byBlock.compactMap { e -> Int? in
                    e.label.hasPrefix("block ") ? Int(e.label.dropFirst(6).prefix { $0.isNumber }) : nil }).count
                if torch.model != c.model || torch.batch != batch || torch.attention != c.attention.rawValue
                    || (torchDepth > 0 && torchDepth != c.depth) {
                    throw BenchError("--torch-breakdown '\(torchBreakdown!)' is \(torch.model), depth \(torchDepth), batch \(torch.batch), "
                                     + "\(torch.attention) attention; this profile is \(c.model), depth \(c.depth), batch \(batch), "
                                     + "\(c.attention.rawValue) attention")
                }
            }
            let output = try outputFolder(requests[0])
            // Everything that can refuse the command does so before the first child starts.
            try BenchSession(outputPath: output, quiet: quiet, force: force).checkMemory(requests)
            let replacing = try ProfileExperiment.prepare(folder: output)
            if !quiet { print("profile of \(requests.count) variant\(requests.count == 1 ? "" : "s") to \(output)" + (replacing.map { "; " + $0 } ?? "")); fflush(stdout) }
            let analyses = try ProfileExperiment.profile(requests, overheadPairs: overheadPairs, quiet: quiet,
                                                         progress: { if !quiet { print($0); fflush(stdout) } })
            let paths = try ProfileExperiment.write(analyses, to: output)
            print(ProfileExperiment.summary(analyses))
            if let torch, let standard = analyses.first(where: { $0.variant == .standard }) {
                let c = standard.profile.configuration
                let comparison = TorchComparison(endOfForward: standard.endOfForward, family: c.family, depth: c.depth, torch: torch)
                print("Held for backward at the end of forward, engine beside PyTorch \(torch.torchVersion) (\(torch.model), batch \(torch.batch), \(torch.attention)):")
                print(TorchComparison.markdown(comparison.byBlock, batch: batch))
                print()
                print(TorchComparison.markdown(comparison.byModule, batch: batch))
            }
            if !quiet { print("wrote " + paths.joined(separator: ", ")) }
        }
    }
}
