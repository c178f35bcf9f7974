// Which row of a repeated measurement the readers show: the newest. A file may hold several successful rows of one
// configuration and variant (measured again by --resume on another machine or commit, or with other threads, and
// appended beside the committed ones); every reader that picks one row per configuration (bench table and the
// results page, bench run's table, the budget table, plots, bench check) takes its rows through `newestRows()`, so
// they agree on which row stands for it.
import Models

extension Array where Element == RunRecord {
    /// The rows with, for each configuration and variant, only its newest successful row (the latest `timestamp`;
    /// between equal or absent timestamps the later one in the array, i.e. in the file); failed rows all stay. Rows
    /// keep their order. `hiddenConfigurations` counts the configurations that had older successful rows left out.
    public func newestRows() -> (rows: [RunRecord], hiddenConfigurations: Int) {
        var newest: [RunConfiguration: [Variant: Int]] = [:]
        var hidden = Set<RunConfiguration>()
        for (i, r) in enumerated() where !r.failed {
            let configuration = r.configuration
            guard let kept = newest[configuration]?[r.variant] else { newest[configuration, default: [:]][r.variant] = i; continue }
            hidden.insert(configuration)
            // ISO 8601 UTC timestamps order as text; an absent one is older than any.
            if (r.timestamp ?? "") >= (self[kept].timestamp ?? "") { newest[configuration]?[r.variant] = i }
        }
        let rows = enumerated().filter { i, r in r.failed || newest[r.configuration]?[r.variant] == i }.map(\.element)
        return (rows, hidden.count)
    }

    /// The line a table's reader gets under it when older rows were left out (nil when none were).
    public static func hiddenNote(_ hiddenConfigurations: Int) -> String? {
        guard hiddenConfigurations > 0 else { return nil }
        return "\(hiddenConfigurations) configuration\(hiddenConfigurations == 1 ? " has" : "s have") older rows not shown "
            + "(each configuration and variant shows its newest row)"
    }
}
