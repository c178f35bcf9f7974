// A trainable tensor and its gradient, named as PyTorch names it (for fixtures and reports).
import Engine

/// A named weight with its gradient; backward passes add into `grad`, the optimizer zeroes it once per step.
public final class Parameter {
    public let name: String
    public let value: Tensor  // any shape, category .parameter
    public let grad: Tensor   // same shape, category .gradient

    /// Value and gradient are charged to the owning layer's "weights" scope (the name without its last part).
    public init(_ name: String, _ shape: [Int]) {
        self.name = name
        let owner = name.split(separator: ".").dropLast().joined(separator: ".")
        let scope = Scopes.register(layer: owner.isEmpty ? name : owner, role: "weights")
        value = Tensor(shape, category: .parameter, scope: scope)
        grad = Tensor(shape, category: .gradient, scope: scope)
    }

    public var count: Int { value.count }
}

extension Array where Element == Parameter {
    /// Total element count.
    public var totalCount: Int { reduce(0) { $0 + $1.count } }
    /// Zeroes every gradient.
    public func zeroGradients() { for p in self { p.grad.zero() } }
}

/// "prefix.name", or just "name" when the prefix is empty (a layer used on its own).
public func qualified(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : "\(prefix).\(name)"
}
