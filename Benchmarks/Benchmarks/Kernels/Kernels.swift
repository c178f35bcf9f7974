// Hot kernels of a ViT-S training step (batch 8, 197 tokens, width 384): the matmul shapes, attention (the layer,
// and each core alone), LayerNorm and GELU, forward and backward (GELU also each alone), and AdamW's step over
// ViT-S's parameters. Throughput is in operations of the named shape per second.
import Benchmark
import Engine
import Models
import BenchKit

let rows = 8 * 197  // B * N tokens of ViT-S at batch 8

func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededRNG(seed: seed)
    let t = Tensor(shape)
    rng.fillNormal(t, std: 1, truncated: false)
    return t
}

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .throughput], maxDuration: .seconds(2), maxIterations: 200)

    // (M, K, N) of the ViT-S linears: qkv, proj, fc1, fc2.
    for (name, k, n) in [("qkv", 384, 1152), ("proj", 384, 384), ("fc1", 384, 1536), ("fc2", 1536, 384)] {
        Benchmark("sgemm \(name) \(rows)x\(k)x\(n)", configuration: config) { benchmark in
            let a = randomTensor([rows, k], seed: 1), b = randomTensor([n, k], seed: 2), c = Tensor([rows, n])
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                BLAS.gemm(transB: true, m: rows, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n)
            }
            blackHole(c[0])
        }
    }

    Benchmark("attention forward+backward ViT-S block", configuration: config) { benchmark in
        let attn = MultiHeadAttention("attn", width: 384, heads: 6)
        let x = randomTensor([8, 197, 384], seed: 3), dy = randomTensor([8, 197, 384], seed: 4)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let (y, saved) = attn.forward(x)
            blackHole(attn.backward(dy, saved)[0] + y[0])
        }
    }

    // The attention cores alone on ViT-S's shapes at batch 8 (48 heads x images, 197 x 197, head dim 64), q k v in
    // a (B, N, 3C) buffer as in the model. `bench attention` times the same with GFLOP/s, alternating the cores.
    let shape = AttentionShape.of(try! Presets.named("vit_small_patch16_224").config, variant: .standard, batch: 8)[0]
    for core in AttentionKind.allCases {
        Benchmark("attention core \(core.rawValue) forward+backward ViT-S block", configuration: config) { benchmark in
            let operands = AttentionBenchmark.Operands(shape, seed: 9)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { operands.run(core) }
        }
    }

    Benchmark("layernorm forward+backward \(rows)x384", configuration: config) { benchmark in
        let ln = LayerNorm("ln", 384)
        let x = randomTensor([rows, 384], seed: 5), dy = randomTensor([rows, 384], seed: 6)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let (y, saved) = ln.forward(x)
            blackHole(ln.backward(dy, saved)[0] + y[0])
        }
    }

    Benchmark("gelu forward+backward \(rows)x1536", configuration: config) { benchmark in
        let x = randomTensor([rows, 1536], seed: 7), dy = randomTensor([rows, 1536], seed: 8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let (y, saved) = GELU.forward(x)
            blackHole(GELU.backward(dy, saved)[0] + y[0])
        }
    }

    // Each direction alone, so a regression in one shows. Backward into a new tensor: in place over the same dy the
    // values would shrink every iteration towards denormals.
    Benchmark("gelu forward \(rows)x1536", configuration: config) { benchmark in
        let x = randomTensor([rows, 1536], seed: 7)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(GELU.forward(x).0[0]) }
    }

    Benchmark("gelu backward \(rows)x1536", configuration: config) { benchmark in
        let x = randomTensor([rows, 1536], seed: 7), dy = randomTensor([rows, 1536], seed: 8)
        let saved = GELU.forward(x).1
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(GELU.backward(dy, saved)[0]) }
    }

    // One optimizer step over ViT-S's 22M parameters (152 tensors): one parallel pass, memory-bound.
    Benchmark("adamw step vit_small_patch16_224 parameters", configuration: config) { benchmark in
        let model = Presets.makeModel(try! Presets.named("vit_small_patch16_224").config, variant: .standard)
        let optimizer = AdamW(model.parameters)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            optimizer.step()
            blackHole(model.parameters[0].value[0])
        }
    }
}
