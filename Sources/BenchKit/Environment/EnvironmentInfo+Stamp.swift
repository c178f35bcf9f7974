// Stamping a record with the environment it was measured in: the one place environment columns are filled.
import Foundation

extension EnvironmentInfo {
    /// Fills `row`'s environment columns with this environment and the time now (a BLAS already recorded by the
    /// child that measured is kept).
    public func stamp<Row: EnvironmentColumns>(_ row: inout Row) {
        row.timestamp = ISO8601DateFormatter().string(from: Date())
        row.gitSHA = gitSHA
        row.build = build
        row.cpu = cpu
        row.cores = cores
        if row.blas == nil { row.blas = blas }
        row.swiftVersion = swiftVersion
    }
}
