// A reversible block: F and G sublayers whose inputs can be rebuilt from their outputs.
import Engine

/// The two sublayers of a reversible block.
public protocol ReversibleBlock {
    associatedtype FSaved
    associatedtype GSaved
    /// Where the run charges the streams, reconstructed inputs and drop-path copies of this block.
    var scopes: BlockScopes { get }
    func forwardF(_ x: Tensor) -> (Tensor, FSaved)
    func backwardF(_ dy: Tensor, _ saved: consuming FSaved) -> Tensor
    func forwardG(_ x: Tensor) -> (Tensor, GSaved)
    func backwardG(_ dy: Tensor, _ saved: consuming GSaved) -> Tensor
}
