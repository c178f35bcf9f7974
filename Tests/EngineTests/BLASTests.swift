// The BLAS wrapper against the naive reference on odd shapes, all transpose combinations and strided operands.
import XCTest
import Engine
import TestSupport

final class BLASTests: XCTestCase {
    func testGemmMatchesNaiveOnOddShapesAndTransposes() {
        for (m, n, k) in [(1, 1, 1), (7, 13, 5), (33, 17, 65), (3, 129, 31)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = randomTensor(transA ? [k, m] : [m, k], seed: 1)
                    let b = randomTensor(transB ? [n, k] : [k, n], seed: 2)
                    let c0 = randomTensor([m, n], seed: 3)
                    let fast = c0.copy(), slow = c0.copy()
                    let lda = transA ? m : k, ldb = transB ? k : n
                    BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: a.data, lda: lda,
                              b: b.data, ldb: ldb, beta: 0.5, c: fast.data, ldc: n)
                    BLAS.naiveGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: a.data, lda: lda,
                                   b: b.data, ldb: ldb, beta: 0.5, c: slow.data, ldc: n)
                    XCTAssertLessThan(maxRelativeDifference(fast, slow), 1e-5, "m=\(m) n=\(n) k=\(k) tA=\(transA) tB=\(transB)")
                }
            }
        }
    }

    func testGemmWithLeadingDimensionsReadsSubmatrices() {
        // A head slice of a (N, 3C) qkv buffer: columns [C + h*D, C + (h+1)*D) read through lda = 3C.
        let n = 9, c = 12, d = 4
        let qkv = randomTensor([n, 3 * c], seed: 4)
        let out = Tensor([n, n]), ref = Tensor([n, n])
        let q = qkv.data + d, k = qkv.data + c + d
        BLAS.gemm(transB: true, m: n, n: n, k: d, a: q, lda: 3 * c, b: k, ldb: 3 * c, c: out.data, ldc: n)
        BLAS.naiveGemm(transB: true, m: n, n: n, k: d, a: q, lda: 3 * c, b: k, ldb: 3 * c, c: ref.data, ldc: n)
        XCTAssertLessThan(maxRelativeDifference(out, ref), 1e-5)
    }
}
