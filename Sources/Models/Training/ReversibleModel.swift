// What the reversible twins (Rev-ViT, Rev-MViT) offer beyond training: the backprop mode flag (the reversible
// algorithm or the store-everything reference on the same weights), the record of how well backward rebuilt each
// block's inputs, and the drop-path generator, so a step can be replayed exactly in both modes.
import Engine

public protocol ReversibleModel: VisionModel {
    var backprop: ReversibleBackprop { get set }
    var recordsReconstructionError: Bool { get set }
    /// Per reversible block of the last recompute step with `recordsReconstructionError` set, in block order.
    var reconstructionErrors: [ReconstructionError] { get }
    var dropPathRNG: SeededRNG { get set }
}
