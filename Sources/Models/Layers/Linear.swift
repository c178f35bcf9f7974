// Linear layer y = x W^T + b, forward and backward side by side.
// Dimensions: M = rows of x (B*N tokens), I = in features, O = out features.
import Engine

/// Fully connected layer with PyTorch's weight layout (O, I).
public final class Linear: ParameterOwner {
    public let weight: Parameter  // (O, I)
    public let bias: Parameter?   // (O)
    public let inFeatures: Int, outFeatures: Int
    let scopes: LayerScopes
    let outputScope: ScopeID, inputGradientScope: ScopeID
    /// Tests only (TestingMutation): keep an extra copy of the input for backward.
    let keepsExtraInputCopy: Bool

    public init(_ name: String, _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(qualified(name, "weight"), [outFeatures, inFeatures])
        self.bias = bias ? Parameter(qualified(name, "bias"), [outFeatures]) : nil
        scopes = LayerScopes(name)
        outputScope = scopes.role("output")
        inputGradientScope = scopes.role("input gradient")
        keepsExtraInputCopy = TestingMutation.layerKeepingExtraInput == name
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// What backward needs: the input (as PyTorch keeps it for the weight gradient).
    public struct Saved {
        public let x: Tensor  // (M, I), any leading shape
        /// A copy of x kept only under TestingMutation.
        var extra: Tensor? = nil
    }

    /// y (..., O) = x (..., I) W^T + b.
    public func forward(_ x: Tensor) -> (Tensor, Saved) {
        precondition(x.lastDim == inFeatures, "Linear expects last dim \(inFeatures), got \(x.shape)")
        let outer = Scopes.enter(scopes.forward)
        defer { Scopes.leave(outer) }
        let m = x.rows
        let y = Tensor(Array(x.shape.dropLast()) + [outFeatures], zeroed: false, scope: outputScope)  // (M, O)
        if let bias { Elementwise.broadcastRows(bias.value.data, into: y.data, rows: m, n: outFeatures) }
        BLAS.gemm(transB: true, m: m, n: outFeatures, k: inFeatures,
                  a: x.data, lda: inFeatures, b: weight.value.data, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: y.data, ldc: outFeatures)
        return (y, Saved(x: x, extra: keepsExtraInputCopy ? x.copy() : nil))
    }

    /// Adds dW += dy^T x and db += sum(dy); returns dx = dy W (nil when `inputGradient` is false). Takes the saved
    /// input over: it is freed when this returns (as autograd frees a node's saved tensors after its backward).
    @discardableResult
    public func backward(_ dy: Tensor, _ saved: consuming Saved, inputGradient: Bool = true) -> Tensor? {
        let outer = Scopes.enter(scopes.backward)
        defer { Scopes.leave(outer) }
        let x = saved.x
        _ = consume saved
        let m = x.rows
        BLAS.gemm(transA: true, m: outFeatures, n: inFeatures, k: m,
                  a: dy.data, lda: outFeatures, b: x.data, ldb: inFeatures,
                  beta: 1, c: weight.grad.data, ldc: inFeatures)
        if let bias { Elementwise.accumulateColumnSums(dy.data, rows: m, n: outFeatures, into: bias.grad.data) }
        guard inputGradient else { return nil }
        let dx = Tensor(x.shape, zeroed: false, scope: inputGradientScope)  // (M, I)
        BLAS.gemm(m: m, n: inFeatures, k: outFeatures,
                  a: dy.data, lda: outFeatures, b: weight.value.data, ldb: inFeatures,
                  c: dx.data, ldc: inFeatures)
        return dx
    }
}
