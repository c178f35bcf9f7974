// Backpropagation through a stack of non-reversible blocks, shared by the standard ViT and MViT-B: .standard keeps
// every block's saved tensors; .checkpointed keeps only each block's input and recomputes the block in backward.
import Engine

public enum BlockStack {
    /// Runs `count` blocks forward from `x`, gives the last output to `head` (which returns the loss and the gradient
    /// of that output, and keeps no reference to it), then backpropagates through the blocks. Returns the loss and
    /// the gradient of `x`.
    public static func train<Saved>(_ input: Tensor, count: Int, variant: Variant,
                                    forward: (Int, Tensor) -> (Tensor, Saved),
                                    backward: (Int, consuming Tensor, consuming Saved) -> Tensor,
                                    head: (Tensor) -> (Float, Tensor)) -> (loss: Float, dInput: Tensor) {
        precondition(variant != .reversible, "BlockStack trains .standard or .checkpointed")
        var x: Tensor? = input
        var saved: [Saved] = []        // .standard: every block's saved tensors
        var inputs: [Tensor] = []      // .checkpointed: every block's input
        for i in 0..<count {
            if variant == .checkpointed { inputs.append(x!) }
            let (y, s) = forward(i, x!)
            if variant == .standard { saved.append(s) }
            x = y
        }
        var (loss, dx) = head(x!)
        x = nil  // the last block's output is not needed any more
        for i in (0..<count).reversed() {
            if variant == .checkpointed {
                let (_, s) = forward(i, inputs.removeLast())
                dx = backward(i, consume dx, consume s)
            } else {
                dx = backward(i, consume dx, saved.removeLast())
            }
        }
        return (loss, dx)
    }
}

extension DropPath {
    /// Per-block drop-path multipliers of one forward (F and G of each block), rates rising linearly with depth.
    public static func drawMasks(blocks: Int, config: ModelConfiguration, batch: Int, rng: inout SeededRNG) -> [DropPathMasks] {
        (0..<blocks).map { i in
            let rate = config.dropPathRate(block: i)
            return DropPathMasks(f: draw(batch: batch, rate: rate, rng: &rng), g: draw(batch: batch, rate: rate, rng: &rng))
        }
    }
}
