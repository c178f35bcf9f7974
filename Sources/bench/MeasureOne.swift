// `bench measure-one` (hidden): the child process side of a run. Measures the one configuration it is handed (a
// RunRequest as JSON) in this process and prints its RunRecord as a marked JSON line.
import ArgumentParser
import BenchKit

struct MeasureOne: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ChildRunner.subcommand,
        abstract: "Measure one configuration in this process (used by run, sweep, budget and check).",
        shouldDisplay: false)

    @Option(help: "The run request, as JSON.") var request: String
    @Flag(help: "No step log.") var quiet = false

    func run() throws {
        try reportingErrors {
            try ChildRunner.childMain(try ChildRunner.request(fromJSON: request), quiet: quiet)
        }
    }
}
