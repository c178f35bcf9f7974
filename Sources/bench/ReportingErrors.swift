// The one way every command refuses an input: one `error:` line on stderr and exit code 64.
import ArgumentParser
import BenchKit
import Foundation
import Models

/// Runs `body`, turning a BenchError (or a configuration or file error) into one line on stderr and exit code 64.
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() }
    catch let e as BenchError { fail(e.description) }
    catch let e as ConfigError { fail(e.description) }
    catch let e as ResultsFileError { fail(e.description) }
    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Bench.exit(withError: ExitCode.validationFailure)
    }
}

/// Checks options in a command's validate(), refused like every other input (`reportingErrors`). When help may have
/// been asked for, the error is thrown to the argument parser instead, which shows the help if it was (a bad value
/// beside --help must not hide it) and the error otherwise.
func checkingOptions(_ body: () throws -> Void) throws {
    if CommandLine.arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) { return try body() }
    try reportingErrors(body)
}
