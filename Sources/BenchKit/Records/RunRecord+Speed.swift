// A record's speed columns from its timed steps: the one computation of median, range, images/s and GFLOP/s, used by
// the child for one round and by `Rounds.merge` for all rounds together.
import Foundation
import Models

extension RunRecord {
    /// Sets the step-time columns, images/s and (given the MACs of one image's forward pass) GFLOP/s from `steps`
    /// (seconds, in order) at `batch` images a step, rounded as the CSV stores them; returns the median step time
    /// (nil, and nothing set, without steps).
    @discardableResult
    mutating func setSpeed(steps: [Double], batch: Int, macsPerImage: Double?) -> Double? {
        guard !steps.isEmpty else { return nil }
        let sorted = steps.sorted()
        let median = Format.median(sorted: sorted)
        stepSecondsMedian = Self.rounded(median, 4)
        stepSecondsMin = Self.rounded(sorted.first!, 4)
        stepSecondsMax = Self.rounded(sorted.last!, 4)
        imagesPerSecond = Self.rounded(Double(batch) / median, 3)
        stepSecondsAll = CSV.list(steps, format: "%.4f")
        if let macsPerImage {
            // A step is `passesPerStep` forward-sized passes of 2 FLOPs per MAC over the batch.
            gflopsPerSecond = Self.rounded(macsPerImage * Double(variant.passesPerStep * 2 * batch) / median / 1e9, 2)
        }
        return median
    }

    /// `x` rounded to `decimals` places, as the CSV stores it.
    static func rounded(_ x: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (x * scale).rounded() / scale
    }
}
