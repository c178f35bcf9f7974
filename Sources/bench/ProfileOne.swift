// `bench profile-one` (hidden): the child process side of bench profile. Profiles one training step of the
// configuration it is handed (a RunRequest as JSON) in this process and prints the StepProfile as a marked JSON line.
import ArgumentParser
import BenchKit

struct ProfileOne: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ProfileRunner.subcommand,
        abstract: "Profile one training step of one configuration in this process (used by profile and check).",
        shouldDisplay: false)

    @Option(help: "The run request, as JSON.") var request: String
    @Option(help: "Pairs of unprofiled and profiled steps to time after the profiled one (0: none).") var overheadPairs = 0
    @Flag(help: "No step log.") var quiet = false

    func run() throws {
        try reportingErrors {
            try ProfileRunner.childMain(try ChildRunner.request(fromJSON: request), overheadPairs: overheadPairs, quiet: quiet)
        }
    }
}
