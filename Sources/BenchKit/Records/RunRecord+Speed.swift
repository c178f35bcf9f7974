// A record's speed columns from its timed steps: the one computation of median, range, images/s and GFLOP/s, used by
// the child for one round and by `Rounds.merge` for all rounds together (from the steps to the nanosecond).
import Foundation
import Models

extension RunRecord {
    /// Sets the step-time columns, images/s and (given the MACs of one image's forward pass) GFLOP/s from `steps`
    /// (seconds, in order) at `batch` images a step; returns the median step time (nil, and nothing set, without
    /// steps). The speeds come from the steps as given, and `step_s_all` keeps them to the nanosecond (the clock's
    /// resolution), so `Rounds.merge` computes the same figures from it; the median, min and max columns are rounded
    /// as the CSV shows them. A speed that cannot be computed (a median of zero) is left empty, never inf or nan.
    @discardableResult
    mutating func setSpeed(steps: [Double], batch: Int, macsPerImage: Double?) -> Double? {
        guard !steps.isEmpty else { return nil }
        let sorted = steps.sorted()
        let median = Format.median(sorted: sorted)
        stepSecondsMedian = Self.rounded(median, 4)
        stepSecondsMin = Self.rounded(sorted.first!, 4)
        stepSecondsMax = Self.rounded(sorted.last!, 4)
        stepSecondsAll = CSV.list(steps, format: Self.stepSecondsFormat)
        imagesPerSecond = Self.finite(Double(batch) / median).map { Self.rounded($0, 3) }
        // A step is `passesPerStep` forward-sized passes of 2 FLOPs per MAC over the batch.
        gflopsPerSecond = macsPerImage.flatMap { macs in
            Self.finite(macs * Double(variant.passesPerStep * 2 * batch) / median / 1e9).map { Self.rounded($0, 2) }
        }
        return median
    }

    /// How `step_s_all` writes each step's seconds: to the nanosecond, as the clock measures them (a step of a tiny
    /// model takes microseconds: at 0.1 ms they read back as 0 and their speed as inf).
    static let stepSecondsFormat = "%.9f"

    /// `x` when it is a finite number, else nil (an empty cell).
    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    /// `x` rounded to `decimals` places, as the CSV stores it.
    static func rounded(_ x: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (x * scale).rounded() / scale
    }
}
