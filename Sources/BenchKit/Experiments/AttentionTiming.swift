// One attention core's times over the rounds of bench attention, and its achieved GFLOP/s.
import Foundation
import Engine
import Models

/// Seconds per model step's attention (every block's forward and backward) of one core, one value per round.
public struct AttentionTiming: Sendable {
    public var core: AttentionKind
    public var secondsPerRound: [Double]
    public var flops: Double
    public var median: Double { Format.median(sorted: secondsPerRound.sorted()) }
    /// Model GFLOP/s (the math core's FLOPs) at the median time.
    public var gflops: Double { flops / median / 1e9 }
}
