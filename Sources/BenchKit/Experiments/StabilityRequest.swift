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

    /// The depths, one per configuration.
    public var depths: [Int] { configurations.map(\.depth) }

    /// The steps at which a measurement is taken: 0, every `measureEvery`, and the last.
    public var measuredSteps: [Int] {
        Array(Set(stride(from: 0, through: steps, by: max(1, measureEvery)) + [steps])).sorted()
    }
}
