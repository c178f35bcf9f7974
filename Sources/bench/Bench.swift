// The `bench` command: run (the default), sweep, budget, predict, list, calibrate, check, baseline, table, plot, merge,
// reproduce, stability, profile, and the hidden measure-one and profile-one the others start as a child. Thin:
// parses arguments, calls BenchKit, prints.
import ArgumentParser
import BenchKit
import Foundation

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
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(refusing: error)
        }
    }

    /// Exits for an error the argument parser caught or a command threw. An input it refuses (an unknown option, a
    /// value of the wrong type or outside an enum's cases) is one `error:` line and exit 64, like every other refused
    /// input (`reportingErrors`), instead of the parser's error, help line and usage block; help, version and
    /// every other exit are the parser's own.
    static func exit(refusing error: Error) -> Never {
        let message = message(for: error)
        guard exitCode(for: error) == .validationFailure, !message.isEmpty else { exit(withError: error) }
        var line = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        // A first word that is no subcommand reaches the default subcommand (run) as a stray argument; say what it
        // most likely is.
        if let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-"),
           line == "Unexpected argument '\(first)'" {
            let names = configuration.subcommands.filter { $0.configuration.shouldDisplay }
                .map { $0._commandName }.joined(separator: ", ")
            line = "unknown subcommand '\(first)' (subcommands: \(names); bench --help describes them)"
        }
        line += invalidValueHint(line)
        FileHandle.standardError.write(Data("error: \(line)\n".utf8))
        exit(withError: ExitCode.validationFailure)
    }

    /// The parser says only that a number option's value "is invalid"; say why, from the value's shape (an enum
    /// option's message already lists its values and gets nothing added).
    static func invalidValueHint(_ line: String) -> String {
        guard line.hasPrefix("The value '"), line.hasSuffix(">'"), let end = line.range(of: "' is invalid for '") else { return "" }
        let value = line[line.index(line.startIndex, offsetBy: "The value '".count)..<end.lowerBound]
        if value.contains(",") { return ": this option takes one value, not a list" }
        if value.hasPrefix("-"), value.dropFirst().allSatisfy(\.isNumber), value.count > 1 { return ": it must be 0 or more" }
        if !value.isEmpty, value.allSatisfy(\.isNumber) { return ": it is too large" }
        return ": it takes a number"
    }
}
