// The stem of a class-token model: images to (B, N, C) tokens; forward and backward.
import Engine

/// Turns images (B, Cin, S, S) into tokens (B, Np, C): the ViT's patch embedding, MViT's conv stem.
public protocol TokenStem {
    associatedtype Saved
    func forward(_ images: Tensor) -> (Tensor, Saved)
    @discardableResult func backward(_ dy: Tensor, _ saved: consuming Saved, inputGradient: Bool) -> Tensor?
}
