// Anything that owns parameters: layers, blocks and models list theirs for the optimizer.
import Engine

/// Something that owns parameters, listed in a fixed order.
public protocol ParameterOwner {
    var parameters: [Parameter] { get }
}
