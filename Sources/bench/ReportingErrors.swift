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
