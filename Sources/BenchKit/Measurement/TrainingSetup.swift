// What a child trains, built one way for `bench run`'s measured steps (StepRunner) and `bench profile`'s profiled
// step (StepProfiler): the request's model, its AdamW optimizer and a seeded synthetic batch.
import Engine
import Models

/// The model, optimizer and synthetic batch of one request, on the request's thread count.
public struct TrainingSetup {
    public let model: VisionModel
    public let optimizer: AdamW
    /// (B, channels, image size, image size) normal noise, charged to the input-batch scope.
    public let images: Tensor
    /// B labels below the configuration's class count.
    public let labels: [Int]

    /// Sets BLAS's and the elementwise workers' threads to the request's, then builds the model (seeded by the
    /// request), its optimizer and the batch (seeded by the request's seed + 99).
    public init(_ r: RunRequest) {
        let config = r.configuration
        BLAS.threads = r.threads
        Parallel.workers = r.threads
        model = Presets.makeModel(config, variant: r.variant, seed: r.seed)
        optimizer = AdamW(model.parameters, lr: 1e-4)
        var rng = SeededRNG(seed: r.seed &+ 99)
        images = Tensor([r.batch, config.channels, config.imageSize, config.imageSize], zeroed: false,
                        scope: Scopes.inputBatch)
        rng.fillNormal(images, std: 1, truncated: false)
        labels = (0..<r.batch).map { _ in rng.int(below: config.classes) }
    }

    /// The tuple the step loops destructure.
    public var parts: (VisionModel, AdamW, Tensor, [Int]) { (model, optimizer, images, labels) }
}
