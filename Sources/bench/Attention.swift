// `bench attention`: the two attention cores alone, timed on one model's shapes, with their achieved GFLOP/s.
import ArgumentParser
import BenchKit
import Engine
import Models

struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Time the math and fused attention cores (forward plus backward) on one model's attention shapes.",
        discussion: """
            Runs every block's attention core of one training step (not the qkv and output projections), the two \
            cores alternating round by round on the same operands, and prints each core's median time with the \
            per-round range and the achieved GFLOP/s. FLOPs are the math core's (12 Nq Nk D per head and image); the \
            fused core also recomputes Q K^T in backward, so it executes 14/12 of them ("executed").
            """)

    @OptionGroup var preset: ModelOptions
    @Option(parsing: .unconditional, help: "Batch size.")
    var batch = 8
    @Option(parsing: .unconditional, help: "Variant whose token counts are used: standard (with the class token) or reversible (without).")
    var variant: Variant = .standard
    @Option(parsing: .unconditional, help: "Threads for BLAS and the cores' lanes (default: all cores).")
    var threads: Int?
    @Option(parsing: .unconditional, help: "Rounds, each timing both cores (alternating which goes first).")
    var rounds = 5
    @Option(parsing: .unconditional, help: "Runs of one step's attention per round (the round's figure is their median).")
    var repeats = 5
    @Flag(help: "Run even when the predicted peak memory exceeds available memory.")
    var force = false
    @OptionGroup var sizes: SizeOptions

    /// The options, checked (one `error:` line each, exit 64, as every bench command).
    func checkOptions() throws {
        if batch < 1 { throw BenchError("--batch \(batch) must be a positive integer") }
        if !(1...100).contains(rounds) { throw BenchError("--rounds \(rounds) is outside 1...100") }
        if !(1...1000).contains(repeats) { throw BenchError("--repeats \(repeats) is outside 1...1000") }
        if let a = sizes.attention {
            throw BenchError("--attention \(a.rawValue) does not apply: bench attention times both cores")
        }
        if let t = sizes.transitions {
            throw BenchError("--transitions \(t.rawValue) does not apply: bench attention times the attention cores only")
        }
        // The model options are shared with run; these change nothing the attention cores see.
        if let rate = sizes.dropPath {
            throw BenchError("--drop-path \(rate) does not apply: bench attention times the attention cores only")
        }
        if let classes = sizes.classes {
            throw BenchError("--classes \(classes) does not apply: bench attention times the attention cores only")
        }
    }

    func run() throws {
        try reportingErrors {
            try checkOptions()
            let config = try preset.configuration(sizes)
            let threads = try MeasureOptions.threads(threads)
            _ = try SizeCheck.check(config, variant: variant, batch: batch, workers: threads)
            let shapes = AttentionShape.of(config, variant: variant, batch: batch)
            let predicted = AttentionBenchmark.predictedBytes(shapes, threads: threads)
            if !force, let available = ProcessMemory.availableBytes(), predicted > ProcessMemory.headroom * Double(available) {
                throw BenchError("batch \(batch) needs about \(Format.fixed(predicted / Double(1 << 30), 1)) GiB for the attention "
                    + "operands (predicted), but only \(Format.gib(available)) GiB is available; use a smaller --batch, "
                    + "or --force to run anyway")
            }
            print("\(config.model) \(variant.rawValue): depth \(config.depth), width \(config.width), "
                  + "heads \(config.heads), batch \(batch), \(threads) threads, \(EnvironmentInfo.buildConfiguration) build")
            for s in shapes {
                print("  \(s.count) block(s): \(s.heads) heads x \(s.batch) images, \(s.queries) queries x \(s.keys) keys, head dim \(s.headDim)")
            }
            let (timings, sgemm) = AttentionBenchmark.measure(shapes, threads: threads, rounds: rounds, repeats: repeats,
                                                     progress: { print($0) })
            var rows = [["core", "ms (median)", "ms per round (min-max)", "model GFLOP/s", "executed GFLOP/s"]]
            for t in timings {
                let executed = t.core == .fused ? t.gflops * 14 / 12 : t.gflops
                rows.append([t.core.rawValue, Format.fixed(t.median * 1e3, 1),
                             Format.fixed(t.secondsPerRound.min()! * 1e3, 1) + "-" + Format.fixed(t.secondsPerRound.max()! * 1e3, 1),
                             Format.fixed(t.gflops, 1), Format.fixed(executed, 1)])
            }
            print(TextTable.render(rows, rightAligned: Set(1..<5)))
            print(String(format: "fused / math time: %.2f; SGEMM 1576x384x1152 on this machine: %.0f GFLOP/s at %d threads",
                         timings[1].median / timings[0].median, sgemm, threads))
        }
    }
}
