// Finite-difference gradient checks of MViT's layers: pooling attention (fused and separate projections, with and
// without Q pooling and class token, math and fused cores), max-pool with a class token, and the strided conv stem.
import XCTest
import Engine
import Models
import TestSupport

final class MViTLayerGradientTests: XCTestCase {
    func assertPasses(_ results: [GradientCheck.Result], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(results.isEmpty, file: file, line: line)
        for r in results { XCTAssertLessThan(r.error, gradientTolerance, r.name, file: file, line: line) }
    }

    func checkAttention(fusedQKV: Bool, qStride: Int, kvStride: Int, classToken: Bool, side: Int = 5,
                        core: AttentionKind = .math) {
        // Head dim 8: LayerNorm over fewer dims is so curved that central differences lose accuracy.
        let layer = PoolingAttention("attn", inWidth: 6, width: 16, heads: 2, qStride: qStride, kvStride: kvStride,
                                     classToken: classToken, fusedQKV: fusedQKV, attention: core)
        randomize(layer.parameters, seed: 21, std: 0.5)
        for p in layer.parameters where p.name.contains("norm") && p.name.hasSuffix("weight") {
            for i in 0..<p.count { p.value[i] += 1 }
        }
        let n = (classToken ? 1 : 0) + side * side
        let x = randomTensor([2, n, 6], seed: 22)
        var saved: PoolingAttention.Saved?
        let results = GradientCheck.check(inputs: [("x", x)], parameters: layer.parameters, samples: 30,
            forward: { let (y, s) = layer.forward(x, side: side); saved = s; return y },
            backward: { [layer.backward($0, saved!)] })
        // A bias added to every key shifts each score row by a constant, which softmax ignores: its true gradient
        // is zero, so it is checked as zero rather than against finite-difference noise.
        assertPasses(results.filter { $0.name != "attn.norm_k.bias" })
        XCTAssertLessThan(layer.poolK.norm.bias.grad.values.map(abs).max()!, 1e-5)
    }

    func testPoolingAttentionFusedWithQPoolingAndClassToken() { checkAttention(fusedQKV: true, qStride: 2, kvStride: 2, classToken: true) }
    func testPoolingAttentionSeparateWithoutQPooling() { checkAttention(fusedQKV: false, qStride: 1, kvStride: 1, classToken: false) }
    func testPoolingAttentionKVStride4() { checkAttention(fusedQKV: true, qStride: 1, kvStride: 4, classToken: true, side: 8) }
    /// The fused core: Q and K/V pooled with a class token, and K/V pooled by 4 (its several query blocks are checked
    /// against the math core in FusedAttentionTests).
    func testPoolingAttentionFusedCoreWithQPooling() {
        checkAttention(fusedQKV: true, qStride: 2, kvStride: 2, classToken: true, core: .fused)
    }
    func testPoolingAttentionFusedCoreKVStride4() {
        checkAttention(fusedQKV: false, qStride: 1, kvStride: 4, classToken: false, side: 8, core: .fused)
    }

    func testMaxPoolWithClassToken() {
        // Distinct values so the maximum is unique and the function is differentiable at the sample.
        let x = Tensor([2, 1 + 25, 3], values: (0..<(2 * 26 * 3)).map { Float(($0 * 37) % 101) / 10 })
        var saved: MaxPool.Saved?
        assertPasses(GradientCheck.check(inputs: [("x", x)], parameters: [], eps: 1e-3,
            forward: { let (y, s) = MaxPool.forward(x, side: 5, classToken: true); saved = s; return y },
            backward: { [MaxPool.backward($0, saved!)] }))
        XCTAssertEqual(MaxPool.forward(x, side: 5, classToken: true).0.shape, [2, 1 + 9, 3])
    }

    func testConvStemStride4Padding3() {
        let stem = ConvStem("patch_embed", imageSize: 9, channels: 3, width: 4, kernel: 7, stride: 4, padding: 3)
        randomize(stem.parameters, seed: 23)
        let images = randomTensor([2, 3, 9, 9], seed: 24)
        XCTAssertEqual(stem.outputSide, 3)
        var saved: ConvStem.Saved?
        assertPasses(GradientCheck.check(inputs: [("images", images)], parameters: stem.parameters,
            forward: { let (y, s) = stem.forward(images); saved = s; return y },
            backward: { [stem.backward($0, saved!, inputGradient: true)!] }))
    }
}
