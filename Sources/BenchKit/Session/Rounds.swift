// Rounds: a configuration's variants run R times, each round every variant once in a fresh child, in an order that
// rotates so no variant is always first; the rounds of one variant merge into one record whose images/s is the median
// over all timed steps of all rounds and whose spread is the range of the per-round medians. Contention evidence
// (CPU time over wall time, load average) travels with it, and a record whose speed is not to be trusted says so.
import Foundation
import Models

public enum Rounds {
    /// The order of `items` in round `round` (0-based): rotated left by the round number.
    public static func order<T>(_ items: [T], round: Int) -> [T] {
        guard !items.isEmpty else { return items }
        let k = round % items.count
        return Array(items[k...] + items[..<k])
    }

    /// One record from the rounds of one variant of one configuration (in round order). A failed round makes the
    /// merged record that failure.
    public static func merge(_ rounds: [RunRecord]) -> RunRecord {
        guard var merged = rounds.first else { preconditionFailure("no rounds to merge") }
        if let failed = rounds.first(where: \.failed) { return failed }
        guard rounds.count > 1 else { return merged }
        // The steps as the rounds recorded them, to the nanosecond: the speeds are computed from these, not from
        // step times rounded for display.
        let steps = rounds.flatMap { CSV.numbers($0.stepSecondsAll) }
        let perRound = rounds.compactMap(\.imagesPerSecond)
        merged.rounds = rounds.count
        merged.stepSecondsAll = CSV.list(steps, format: RunRecord.stepSecondsFormat)  // also without a batch
        if let batch = merged.batch {
            merged.setSpeed(steps: steps, batch: batch, macsPerImage: merged.gmacsPerImage.map { $0 * 1e9 })
        }
        merged.imagesPerSecondRounds = perRound.map { "\($0)" }.joined(separator: ";")
        merged.imagesPerSecondRoundMin = perRound.min()
        merged.imagesPerSecondRoundMax = perRound.max()
        merged.cpuUtilization = rounds.compactMap(\.cpuUtilization).min()
        merged.loadAverage = rounds.compactMap(\.loadAverage).max()
        merged.peakRSSBytes = rounds.compactMap(\.peakRSSBytes).max()
        merged.stepJemallocBytes = rounds.compactMap(\.stepJemallocBytes).max()
        return merged
    }

    /// CPU time below this fraction of wall time x threads means the child did not have its cores.
    public static let minimumUtilization = 0.9
    /// Per-round medians further apart than this (max / min - 1) mean the speed did not hold still.
    public static let maximumSpread = 0.10

    /// The footnote of a `*` beside a speed `unreliability` finds doubtful, as the terminal tables write it.
    public static let unreliableSpeedNote =
        "* speed figures unreliable (CPU contention or rounds disagreeing by more than 10%; see the warnings)"

    /// Why a record's speed figures are not to be trusted, or nil.
    public static func unreliability(_ r: RunRecord) -> String? {
        var reasons: [String] = []
        if let u = r.cpuUtilization, u < minimumUtilization {
            let threads = r.threads ?? 1
            reasons.append(String(format: "the child had %.0f%% of %@ CPU time (under %.0f%%: another process competed for the cores, or the work was too small to keep them busy)",
                                  100 * u, threads == 1 ? "its thread's" : "its \(threads) threads'", 100 * minimumUtilization))
        }
        if let lo = r.imagesPerSecondRoundMin, let hi = r.imagesPerSecondRoundMax, lo > 0, hi / lo - 1 > maximumSpread {
            reasons.append(String(format: "its %d rounds disagree by %.0f%% (%.3f-%.3f img/s)", r.rounds ?? 0,
                                  100 * (hi / lo - 1), lo, hi))
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// Per-round ratios of `a`'s images/s to `b`'s (rounds paired in order), when both ran the same rounds.
    public static func ratios(_ a: RunRecord, _ b: RunRecord) -> [Double] {
        let x = CSV.numbers(a.imagesPerSecondRounds), y = CSV.numbers(b.imagesPerSecondRounds)
        guard x.count == y.count, !x.isEmpty else { return [] }
        return zip(x, y).compactMap { $1 > 0 ? $0 / $1 : nil }
    }

    /// "0.75x" for one ratio, "0.75x [0.72-0.78]" (median [min-max]) for several.
    public static func ratioText(_ ratios: [Double]) -> String? {
        guard !ratios.isEmpty else { return nil }
        let sorted = ratios.sorted()
        let median = Format.median(sorted: sorted)
        if sorted.count == 1 { return String(format: "%.2fx", median) }
        return String(format: "%.2fx [%.2f-%.2f]", median, sorted.first!, sorted.last!)
    }
}
