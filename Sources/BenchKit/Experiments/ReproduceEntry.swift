// One committed result and the command that reproduces it.
import Foundation

/// A results file and the bench arguments that write it.
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
