// A block of a standard or checkpointed stack: forward, backward, and its saved state.
import Engine

/// A non-reversible block that `BlockStack` can train: the standard ViT block, the MViT-B block.
public protocol StackBlock {
    associatedtype Saved
    func forward(_ x: Tensor, masks: DropPathMasks) -> (Tensor, Saved)
    /// Takes dy and the saved tensors over, freeing them as they are used.
    func backward(_ dy: consuming Tensor, _ saved: consuming Saved) -> Tensor
}
