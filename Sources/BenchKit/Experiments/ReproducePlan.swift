// Every command behind results/, as one list: `bench reproduce` runs it (resumably, shardably) and regenerates the
// tables and plots, and results/README.md's table of files and commands is generated from it.
import Foundation

public struct ReproduceEntry: Sendable {
    /// The file under results/ the command writes.
    public let file: String
    /// The bench subcommand and its options, without --output.
    public let arguments: [String]
    /// Whether the subcommand takes --resume and --shard (stability does not: it runs whole, on shard 0).
    public var shardable: Bool { arguments.first != "stability" }

    /// The command as results/README.md shows it.
    public var commandLine: String {
        "OPENBLAS_CORETYPE=SkylakeX swift run -c release bench " + (arguments + ["--output", "results/" + file]).joined(separator: " ")
    }
}

public enum ReproducePlan {
    public static let entries: [ReproduceEntry] = [
        ReproduceEntry(file: "vit_small_depths.csv", arguments: ["sweep", "--models", "vit_small_patch16_224", "--depths", "12,24,48",
                                                                 "--batches", "2,4", "--rounds", "1"]),
        ReproduceEntry(file: "vit_large_d24.csv", arguments: ["run", "--model", "vit_large_patch16_224", "--batch", "1,2",
                                                              "--variants", "standard,reversible", "--rounds", "1"]),
        ReproduceEntry(file: "mvit_base_16.csv", arguments: ["run", "--model", "mvit_base_16", "--batch", "1,2", "--rounds", "1"]),
        ReproduceEntry(file: "mvit_base_16_transitions_recompute.csv",
                       arguments: ["run", "--model", "rev_mvit_base_16", "--transitions", "recompute", "--batch", "1,2",
                                   "--variants", "reversible", "--rounds", "1"]),
        ReproduceEntry(file: "budget/vit_small_2GiB.csv", arguments: ["budget", "--models", "vit_small_patch16_224", "--memory", "2GiB",
                                                                      "--depths", "12,24,48,96", "--steps", "1", "--warmup", "1"]),
        // The same experiments with the memory-efficient attention core (issue 16), beside the paper's.
        ReproduceEntry(file: "vit_small_depths_fused.csv", arguments: ["sweep", "--models", "vit_small_patch16_224", "--depths", "12,24,48",
                                                                       "--batches", "2,4", "--rounds", "1", "--attention", "fused"]),
        ReproduceEntry(file: "vit_large_d24_fused.csv", arguments: ["run", "--model", "vit_large_patch16_224", "--batch", "1,2",
                                                                    "--variants", "standard,reversible", "--rounds", "1", "--attention", "fused"]),
        ReproduceEntry(file: "mvit_base_16_fused.csv", arguments: ["run", "--model", "mvit_base_16", "--batch", "1,2", "--rounds", "1",
                                                                   "--attention", "fused"]),
        ReproduceEntry(file: "budget/vit_small_2GiB_fused.csv",
                       arguments: ["budget", "--models", "vit_small_patch16_224", "--memory", "2GiB", "--depths", "12,24,48,96",
                                   "--steps", "1", "--warmup", "1", "--attention", "fused"]),
        ReproduceEntry(file: "stability/vit_small_64px.csv",
                       arguments: ["stability", "--model", "vit_small_patch16_224", "--depths", "12,24,48,96", "--image-size", "64",
                                   "--steps", "300", "--measure-every", "50", "--batch", "8", "--lr", "1e-4"]),
        ReproduceEntry(file: "stability/vit_small_64px_lr1e-3.csv",
                       arguments: ["stability", "--model", "vit_small_patch16_224", "--depths", "48", "--image-size", "64",
                                   "--steps", "300", "--measure-every", "50", "--batch", "8", "--lr", "1e-3"]),
        ReproduceEntry(file: "stability/mvit_base_64px.csv",
                       arguments: ["stability", "--model", "mvit_base_16", "--depths", "16", "--image-size", "64", "--steps", "300",
                                   "--measure-every", "50", "--batch", "8", "--lr", "1e-4"]),
    ]

    /// results/README.md's table of files and the commands that made them (between its reproduce markers).
    public static func markdown() -> String {
        var lines = ["| file | command |", "|---|---|"]
        for e in entries { lines.append("| `\(e.file)` | `\(e.commandLine)` |") }
        lines.append("| `baseline/ci.csv` | `swift run bench baseline update` (the CI gate's baseline; not a result) |")
        lines.append("| `plots/*.svg` | `swift run bench plot` (from the CSVs above, the stability ones included; `bench stability` also rewrites its own charts) |")
        return lines.joined(separator: "\n")
    }

    /// `document` with the text between `<!-- BEGIN reproduce -->` and `<!-- END reproduce -->` replaced.
    public static func splice(into document: String) throws -> String {
        let begin = "<!-- BEGIN reproduce -->", end = "<!-- END reproduce -->"
        guard let b = document.range(of: begin), let e = document.range(of: end), b.upperBound <= e.lowerBound else {
            throw BenchError("the document has no '\(begin)' ... '\(end)' markers")
        }
        return document.replacingCharacters(in: b.upperBound..<e.lowerBound,
                                            with: "\n<!-- generated by: swift run bench reproduce --markdown results/README.md -->\n" + markdown() + "\n")
    }
}
