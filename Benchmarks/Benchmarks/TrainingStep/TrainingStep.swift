// One training step (forward, loss, backward, AdamW) of each variant of ViT-S at depth 12, batch 8, 224x224, with
// each attention core (math, the paper's; fused, the memory-efficient one).
import Benchmark
import Engine
import Models

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .throughput, .peakMemoryResident],
                                         warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 10)
    for variant in Variant.allCases {
        for attention in AttentionKind.allCases {
            let suffix = attention == .math ? "" : ", fused attention"
            Benchmark("vit_small_patch16_224 \(variant.rawValue) step, batch 8\(suffix)", configuration: config) { benchmark in
                var c = try! Presets.named("vit_small_patch16_224").config
                c.attention = attention
                let model = Presets.makeModel(c, variant: variant)
                let optimizer = AdamW(model.parameters)
                var rng = SeededRNG(seed: 1)
                let images = Tensor([8, 3, 224, 224])
                rng.fillNormal(images, std: 1, truncated: false)
                let labels = (0..<8).map { _ in rng.int(below: 1000) }
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(model.trainStep(images: images, labels: labels, optimizer: optimizer))
                }
            }
        }
    }
}
