// What the models train with: the optimizer protocol (AdamW, PyTorch's defaults; SGD with momentum).
// State tensors are allocated when the optimizer is made, so a step allocates nothing.
import Engine

/// Updates parameters from their gradients, then zeroes the gradients.
public protocol Optimizer: AnyObject {
    func step()
}
