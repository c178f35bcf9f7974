// Error bounds of the vectorizable exp and GELU against Double libm, as stated in Engine/FastMath.swift.
import XCTest
import Foundation
import Engine

final class FastMathTests: XCTestCase {
    func testExpRelativeErrorBelow3e7() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 3e-7)
    }

    func testGeluMatchesExactErfFormWithin1e6() {
        var worst = 0.0, worstDerivative = 0.0
        var x: Float = -10
        while x <= 10 {
            let xd = Double(x)
            let exact = 0.5 * xd * (1 + erf(xd / 2.0.squareRoot()))
            worst = max(worst, abs(Double(FastMath.gelu(x)) - exact))
            let dExact = 0.5 * (1 + erf(xd / 2.0.squareRoot())) + xd * Foundation.exp(-xd * xd / 2) / (2 * Double.pi).squareRoot()
            worstDerivative = max(worstDerivative, abs(Double(FastMath.geluDerivative(x)) - dExact))
            x += 0.001
        }
        XCTAssertLessThan(worst, 1e-6)
        XCTAssertLessThan(worstDerivative, 2e-6)
    }
}
