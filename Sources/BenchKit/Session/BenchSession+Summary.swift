// The rows a measuring command's closing table shows. With --resume the configurations already in the output were
// skipped, so the rows measured now are only part of the answer: the table is drawn from the output's rows of every
// requested configuration (newest first, as every reader), so each variant's ratios to the standard one are there
// whichever run measured it, and a resume with nothing left to run still shows the results it found.
import Foundation

extension BenchSession {
    /// The rows the table of `requests` shows after `measured` were appended (see the file's header).
    public func summaryRows(_ requests: [RunRequest], measured: [RunRecord]) throws -> [RunRecord] {
        guard resume, FileManager.default.fileExists(atPath: outputPath) else { return measured }
        let wanted = Set(requests.map { RunRecord(request: $0).configuration })
        return try ResultsFile.read(outputPath).filter { wanted.contains($0.configuration) }
    }
}
