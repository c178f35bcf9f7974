// The run and sweep experiment: each request measured as asked, at its own batch, in a fresh child every round.
import Foundation

/// Measures each request at its batch in a child process (`ChildRunner`), every round alike.
public struct FixedBatchExperiment: SessionExperiment {
    public init() {}

    public var unitName: String { "configurations" }
    public var headerNotes: [String] { [] }
    public var batchKnownBeforeFirstRound: Bool { true }

    /// Refuses a request whose predicted peak exceeds the available memory (see `BenchSession.checkMemory`).
    public func refuse(_ requests: [RunRequest], in session: BenchSession) throws { try session.checkMemory(requests) }

    public func predictedWork(_ r: RunRequest) throws -> Double { try r.predictedWork() }

    public func resumeRecord(_ r: RunRequest) -> RunRecord { RunRecord(request: r) }

    public func firstRound(_ r: RunRequest, quiet: Bool, log: (String) -> Void) throws -> (record: RunRecord, next: RunRequest?) {
        (ChildRunner.run(r, quiet: quiet), r)
    }

    public func laterRequest(_ r: RunRequest, after first: RunRecord) -> RunRequest? { r }

    public func laterRound(_ r: RunRequest, quiet: Bool) -> RunRecord { ChildRunner.run(r, quiet: quiet) }
}
