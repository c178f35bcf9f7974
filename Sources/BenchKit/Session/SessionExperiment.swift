// What an experiment plugs into `BenchSession`: how one request is measured in its first round and in later ones.
// The session owns everything else (output, shards, --resume, environment, SGEMM reference, progress, rounds).
import Foundation

/// How an experiment measures one request; `BenchSession` schedules the rounds and writes the rows.
public protocol SessionExperiment {
    /// What the shard note calls a unit of requests ("configurations", "model-depth pairs").
    var unitName: String { get }
    /// Lines printed once, after the output is opened and before anything is measured.
    var headerNotes: [String] { get }
    /// Whether a progress line can name the request's batch before its first round (false where that round finds it).
    var batchKnownBeforeFirstRound: Bool { get }
    /// Refuses the requests left to measure before anything is measured (e.g. a predicted peak over the memory).
    func refuse(_ requests: [RunRequest], in session: BenchSession) throws
    /// Predicted work of one round of `r`: what progress, ETA and shards count.
    func predictedWork(_ r: RunRequest) throws -> Double
    /// The record --resume looks for among the output's successful rows (matched by its `ResumeKey`).
    func resumeRecord(_ r: RunRequest) -> RunRecord
    /// The first round of `r`: its record, and the request each later round measures (nil: no later rounds).
    func firstRound(_ r: RunRequest, quiet: Bool, log: (String) -> Void) throws -> (record: RunRecord, next: RunRequest?)
    /// The request later rounds measure after `first`, a first round of `r` kept from an interrupted run (what
    /// `firstRound` returned with it).
    func laterRequest(_ r: RunRequest, after first: RunRecord) -> RunRequest?
    /// A later round of `r` (the request `firstRound` returned).
    func laterRound(_ r: RunRequest, quiet: Bool) -> RunRecord
}
