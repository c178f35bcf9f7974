// The `bench` command: run (the default), sweep, budget, predict, list, calibrate, check, baseline, table, plot, merge,
// reproduce, stability, profile, and the hidden measure-one and profile-one the others start as a child. Thin:
// parses arguments, calls BenchKit, prints.
import ArgumentParser
import BenchKit

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training memory and throughput of standard, reversible and checkpointed vision transformers.",
        version: RevBenchVersion.string,
        subcommands: [Run.self, Sweep.self, List.self, Check.self, Baseline.self, Calibrate.self, Predict.self, Budget.self, AttentionCommand.self, Table.self, Plot.self, MergeCommand.self, StabilityCommand.self, Reproduce.self, Profile.self, MeasureOne.self, ProfileOne.self],
        defaultSubcommand: Run.self
    )

    /// Sets OpenBLAS's kernel and thread settings for this machine (re-executing once), then runs the command.
    /// A child of another bench dies with its parent.
    static func main() {
        BLASEnvironment.reexecIfNeeded()
        ParentLifetime.followParent()
        main(nil)
    }
}
