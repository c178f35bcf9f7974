// What every trainable twin offers: its parameters, a forward/backward on one batch, and forward-only logits.
import Engine

/// A model that can take a training step. Backward adds into parameter gradients; the optimizer zeroes them.
public protocol VisionModel: AnyObject {
    var config: ModelConfiguration { get }
    var variant: Variant { get }
    var parameters: [Parameter] { get }
    /// Forward, loss, backward on one batch (images (B, Cin, S, S), labels (B)); returns the mean loss.
    func forwardBackward(images: Tensor, labels: [Int]) -> Float
    /// Forward only, keeping nothing for backward: logits (B, classes).
    func logits(images: Tensor) -> Tensor
}

extension VisionModel {
    /// Total parameter count, from the model's own tensors.
    public var parameterCount: Int { parameters.totalCount }

    /// One training step: forward, loss, backward, optimizer update. Returns the loss.
    @discardableResult
    public func trainStep(images: Tensor, labels: [Int], optimizer: Optimizer) -> Float {
        let loss = forwardBackward(images: images, labels: labels)
        Ledger.shared.phase = .optimizer
        optimizer.step()
        Ledger.shared.phase = .idle
        return loss
    }

    /// Forward multiply-adds per image.
    public var macsPerImage: Int { config.macsPerImage(variant) }
}

/// Weight init of the reference code: truncated normal std 0.02 for linear and conv weights and position
/// embeddings; zero biases; LayerNorm weight 1, bias 0; class token normal std 1e-6 (timm).
func initializeWeights(_ parameters: [Parameter], seed: UInt64) {
    var rng = SeededRNG(seed: seed)
    for p in parameters {
        let n = p.name
        if n.hasSuffix(".bias") || n == "bias" {
            p.value.zero()
        } else if n.contains("norm") {
            p.value.fill(1)
        } else if n == "cls_token" {
            rng.fillNormal(p.value, std: 1e-6, truncated: false)
        } else {
            rng.fillNormal(p.value, std: 0.02)
        }
    }
}
