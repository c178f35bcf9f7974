// The 16-wide AdamW kernel and the one fused pass over all parameters against the scalar reference, bit for bit.
import XCTest
import Foundation
import Engine
import Models
import TestSupport

final class AdamWTests: XCTestCase {
    func bits(_ t: Tensor) -> [UInt32] { (0..<t.count).map { t.data[$0].bitPattern } }

    func testVectorUpdateEqualsReferenceBitForBit() {
        let k = AdamW.Constants(beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 1 - 1e-3 * 0.01, stepSize: 1e-3 / 0.1,
                                inverseRootCorrection2: 1 / (0.001 as Float).squareRoot())
        for count in [0, 1, 15, 16, 17, 100, 1031] {
            let fast = (0..<4).map { randomTensor([count], seed: UInt64($0 + 1)) }
            let slow = fast.map { $0.copy() }
            for t in [fast[3], slow[3]] { for j in 0..<count { t.data[j] = abs(t.data[j]) } }  // v >= 0
            AdamW.update(w: fast[0].data, g: fast[1].data, m: fast[2].data, v: fast[3].data, count: count, k)
            AdamW.referenceUpdate(w: slow[0].data, g: slow[1].data, m: slow[2].data, v: slow[3].data, count: count, k)
            for (a, b) in zip(fast, slow) {
                XCTAssertEqual((0..<count).map { a.data[$0].bitPattern }, (0..<count).map { b.data[$0].bitPattern }, "count \(count)")
            }
        }
    }

    func testOneFusedPassEqualsReferencePerParameter() {
        // Sizes around the chunk boundaries (grain 2^15, two workers) so chunks start and end inside parameters.
        let shapes = [[3], [40_000], [17], [70_001], [1], [33_000]]
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        for workers in [1, 2, 3] {
            Parallel.workers = workers
            let params = shapes.enumerated().map { Parameter("p\($0.offset)", $0.element) }
            let reference = shapes.enumerated().map { Parameter("p\($0.offset)", $0.element) }
            for (i, (p, r)) in zip(params, reference).enumerated() {
                var rng = SeededRNG(seed: UInt64(10 + i))
                rng.fillNormal(p.value, std: 1, truncated: false); rng.fillNormal(p.grad, std: 1, truncated: false)
                r.value.data.update(from: p.value.data, count: p.count); r.grad.data.update(from: p.grad.data, count: p.count)
            }
            let opt = AdamW(params, lr: 1e-3)
            let m = reference.map { Tensor($0.value.shape) }, v = reference.map { Tensor($0.value.shape) }
            for step in 1...2 {
                opt.step()
                let bc1 = 1 - Float(pow(Double(Float(0.9)), Double(step))), bc2 = 1 - Float(pow(Double(Float(0.999)), Double(step)))
                let k = AdamW.Constants(beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 1 - 1e-3 * 0.01, stepSize: 1e-3 / bc1,
                                        inverseRootCorrection2: 1 / bc2.squareRoot())
                for (i, r) in reference.enumerated() {
                    AdamW.referenceUpdate(w: r.value.data, g: r.grad.data, m: m[i].data, v: v[i].data, count: r.count, k)
                }
                for (p, r) in zip(params, reference) {
                    XCTAssertTrue(bits(p.value) == bits(r.value), "\(p.name) workers \(workers) step \(step)")
                    XCTAssertTrue((0..<p.count).allSatisfy { p.grad.data[$0] == 0 }, "gradients zeroed")
                }
                // The next step's gradients, the same on both sides.
                for (p, r) in zip(params, reference) {
                    for j in 0..<p.count { p.grad.data[j] = Float(j % 7) - 3; r.grad.data[j] = Float(j % 7) - 3 }
                }
            }
        }
    }

    func testAStepWakesTheWorkersOnce() {
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        Parallel.workers = 2
        // Three tensors each big enough for two chunks of their own: the per-tensor loop woke the workers 3 times.
        let opt = AdamW([Parameter("a", [70_000]), Parameter("b", [3]), Parameter("c", [80_000]), Parameter("d", [90_000])])
        let before = Parallel.dispatches
        opt.step()
        XCTAssertEqual(Parallel.dispatches - before, 1)
    }
}
