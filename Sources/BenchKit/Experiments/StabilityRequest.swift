// What one bench stability run trains and when it measures: one resolved configuration per depth.
import Foundation
import Engine
import Models

/// What one stability run trains and when it measures.
public struct StabilityRequest: Sendable {
    /// One resolved configuration per depth, in order (`Presets.configuration`).
    public var configurations: [ModelConfiguration]
    public var steps: Int
    public var measureEvery: Int
    public var batch: Int
    public var learningRate: Float
    public var threads: Int
    public var seed: UInt64

    public init(configurations: [ModelConfiguration], steps: Int, measureEvery: Int,
                batch: Int, learningRate: Float, threads: Int = System.coreCount, seed: UInt64 = 0) {
        self.configurations = configurations; self.steps = steps
        self.measureEvery = measureEvery; self.batch = batch; self.learningRate = learningRate; self.threads = threads
        self.seed = seed
    }

    /// Predicted work (MACs x batch x passes): every training step (4 passes) and, per measurement, a recompute (4)
    /// and a store-everything (3) pass of the probe batch, over all depths.
    public var predictedWork: Double {
        configurations.map { c -> Double in
            Double(c.macsPerImage(.reversible)) * Double(batch) * Double(4 * steps + 7 * measuredSteps.count)
        }.reduce(0, +)
    }

    /// Training steps of the same sizes, whose predicted peaks bound this run's memory: the reversible twin's own
    /// step, and the standard variant's for the store-everything probe (it keeps every block's activations).
    public var memoryRequests: [RunRequest] {
        configurations.flatMap { c in
            [Variant.reversible, .standard].map { RunRequest(c, variant: $0, batch: batch, threads: threads) }
        }
    }

    /// The depths, one per configuration.
    public var depths: [Int] { configurations.map(\.depth) }

    /// The steps at which a measurement is taken: 0, every `measureEvery`, and the last.
    public var measuredSteps: [Int] {
        Array(Set(stride(from: 0, through: steps, by: max(1, measureEvery)) + [steps])).sorted()
    }
}
