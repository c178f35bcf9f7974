// The fused attention core against the math one (same weights, inputs and output gradient: output and every gradient
// within fp32 rounding), in ViT's attention and MViT's pooling attention, against finite differences, with several
// query blocks and lanes, and what it saves in the ledger: exactly the probabilities, less the log-sum-exps.
import XCTest
import Foundation
import Engine
import Models
import TestSupport

final class FusedAttentionTests: XCTestCase {
    /// Query blocks split the queries evenly under the block budget and cover them.
    func testQueryBlocksCoverTheQueries() {
        XCTAssertEqual(AttentionWorkspace.queryBlock(queries: 197, keys: 197), 197)   // ViT-S/B/L: one block
        XCTAssertEqual(AttentionWorkspace.queryBlock(queries: 301, keys: 301), 151)   // two: 151 and 150
        XCTAssertEqual(AttentionWorkspace.queryBlock(queries: 700, keys: 700), 88)    // eight: seven of 88, one of 84
        for (nq, nk) in [(197, 197), (301, 301), (3137, 50), (1, 4000), (50, 100_000)] {
            let bq = AttentionWorkspace.queryBlock(queries: nq, keys: nk)
            XCTAssertGreaterThan(bq, 0)
            XCTAssertLessThanOrEqual(bq, nq)
            XCTAssertTrue(bq * nk <= 1 << 16 || bq <= 8, "(\(nq), \(nk)): \(bq) rows")
        }
    }

    /// Both cores on the same weights; N = 700 tokens spans eight query blocks, N = 301 two uneven ones (151, 150),
    /// and the (batch x heads) groups run in two lanes.
    func testFusedMatchesMathOutputsAndGradients() {
        let workers = Parallel.workers
        Parallel.workers = 2
        defer { Parallel.workers = workers }
        for (n, width, heads) in [(700, 16, 2), (301, 32, 4), (17, 24, 3)] {
            let math = MultiHeadAttention("attn", width: width, heads: heads)
            let fused = MultiHeadAttention("attn", width: width, heads: heads, attention: .fused)
            randomize(math.parameters, seed: 21, std: 0.3)
            for (a, b) in zip(math.parameters, fused.parameters) { b.value.data.update(from: a.value.data, count: a.value.count) }
            let x = randomTensor([2, n, width], seed: 22), dy = randomTensor([2, n, width], seed: 23)
            let (ym, sm) = math.forward(x)
            let (yf, sf) = fused.forward(x)
            XCTAssertLessThan(maxRelativeDifference(yf.values, ym.values), 1e-5, "output, N \(n)")
            let dxm = math.backward(dy, sm), dxf = fused.backward(dy, sf)
            XCTAssertLessThan(maxRelativeDifference(dxf.values, dxm.values), 1e-4, "dx, N \(n)")
            for (a, b) in zip(math.parameters, fused.parameters) {
                XCTAssertLessThan(maxRelativeDifference(b.grad.values, a.grad.values), 1e-4, "\(a.name), N \(n)")
            }
        }
    }

    func testFusedAttentionGradientsAgainstFiniteDifferences() {
        let layer = MultiHeadAttention("attn", width: 8, heads: 2, attention: .fused)
        randomize(layer.parameters, seed: 6, std: 0.5)
        let x = randomTensor([2, 260, 8], seed: 7)   // two query blocks of 130
        var saved: MultiHeadAttention.Saved?
        let results = GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters,
            forward: { let (y, s) = layer.forward(x); saved = s; return y },
            backward: { [layer.backward($0, saved!)] })
        XCTAssertFalse(results.isEmpty)
        for r in results { XCTAssertLessThan(r.error, gradientTolerance, r.name) }
    }

    /// A block's saved tensors shrink by exactly the probabilities (B x H x N x N floats), less the log-sum-exps
    /// (B x H x N).
    func testFusedSavesExactlyTheProbabilitiesLessTheLogSumExps() {
        let (b, n, width, heads) = (3, 50, 32, 4)
        func saved(fused: Bool) -> Int {
            let block = TransformerBlock("blocks.0", width: width, heads: heads, attention: fused ? .fused : .math)
            let x = randomTensor([b, n, width], seed: 5)
            let before = Ledger.shared.live(.activation)
            let (y, s) = block.forward(x)
            let bytes = Ledger.shared.live(.activation) - before - y.count * 4
            withExtendedLifetime(s) {}
            return bytes
        }
        XCTAssertEqual(saved(fused: false) - saved(fused: true), (b * heads * n * n - b * heads * n) * 4)
    }

    /// Splitting the groups over lanes changes no result beyond fp32 rounding, in either core.
    func testLanesGiveTheSameResults() {
        let workers = Parallel.workers
        defer { Parallel.workers = workers }
        for fused in [false, true] {
            func run(lanes: Int) -> [[Float]] {
                Parallel.workers = lanes
                let layer = MultiHeadAttention("attn", width: 32, heads: 4, attention: fused ? .fused : .math)
                randomize(layer.parameters, seed: 41, std: 0.3)
                let x = randomTensor([3, 50, 32], seed: 42), dy = randomTensor([3, 50, 32], seed: 43)
                let (y, saved) = layer.forward(x)
                let dx = layer.backward(dy, saved)
                return [y.values, dx.values] + layer.parameters.map(\.grad.values)
            }
            for (one, two) in zip(run(lanes: 1), run(lanes: 2)) {
                XCTAssertLessThan(maxRelativeDifference(two, one), 1e-5, "fused \(fused)")
            }
        }
    }

    /// MViT's pooling attention: both cores on the same weights, Q pooled (class token, 50 queries against 50 keys) and
    /// not (1297 queries, seven query blocks, against 325 pooled keys).
    func testPoolingAttentionFusedMatchesMath() {
        for (qStride, kvStride, side) in [(2, 2, 14), (1, 2, 36)] {
            func make(_ fused: Bool) -> PoolingAttention {
                PoolingAttention("attn", inWidth: 16, width: 32, heads: 2, qStride: qStride, kvStride: kvStride,
                                 classToken: true, fusedQKV: true, attention: fused ? .fused : .math)
            }
            let math = make(false), fused = make(true)
            randomize(math.parameters, seed: 31, std: 0.3)
            for (a, b) in zip(math.parameters, fused.parameters) { b.value.data.update(from: a.value.data, count: a.value.count) }
            let x = randomTensor([2, 1 + side * side, 16], seed: 32)
            let (ym, sm) = math.forward(x, side: side)
            let (yf, sf) = fused.forward(x, side: side)
            XCTAssertLessThan(maxRelativeDifference(yf.values, ym.values), 1e-5, "output, q stride \(qStride)")
            let dy = randomTensor(ym.shape, seed: 33)
            let dxm = math.backward(dy, sm), dxf = fused.backward(dy, sf)
            XCTAssertLessThan(maxRelativeDifference(dxf.values, dxm.values), 1e-4, "dx, q stride \(qStride)")
            for (a, b) in zip(math.parameters, fused.parameters) where a.name != "attn.norm_k.bias" {
                XCTAssertLessThan(maxRelativeDifference(b.grad.values, a.grad.values), 1e-4, "\(a.name), q stride \(qStride)")
            }
        }
    }

    /// Pooling attention's saved tensors shrink by exactly G x Nq x Nk probabilities, less G x Nq log-sum-exps.
    func testPoolingAttentionFusedSavesExactlyTheProbabilitiesLessTheLogSumExps() {
        let (b, side, heads) = (3, 8, 2)
        let (nq, nk) = (1 + 4 * 4, 1 + 4 * 4)   // Q and K/V pooled with stride 2: 8x8 -> 4x4, plus the class token
        func saved(fused: Bool) -> Int {
            let layer = PoolingAttention("attn", inWidth: 16, width: 32, heads: heads, qStride: 2, kvStride: 2,
                                         classToken: true, fusedQKV: true, attention: fused ? .fused : .math)
            let x = randomTensor([b, 1 + side * side, 16], seed: 5)
            let before = Ledger.shared.live(.activation)
            let (y, s) = layer.forward(x, side: side)
            let bytes = Ledger.shared.live(.activation) - before - y.count * 4
            withExtendedLifetime(s) {}
            return bytes
        }
        XCTAssertEqual(saved(fused: false) - saved(fused: true), (b * heads * nq * nk - b * heads * nq) * 4)
    }
}
