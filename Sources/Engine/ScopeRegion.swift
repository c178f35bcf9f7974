// The part of a training step a scope belongs to: the input batch, the stem, a block, the head, the loss or the
// optimizer (and the step itself, whose zero-byte marks say where each phase begins).

/// The part of a training step an allocation belongs to.
public enum ScopeRegion: String, CaseIterable, Codable, Sendable {
    case unknown, input, stem, block, head, loss, optimizer
    /// A layer built on its own, outside a model (tests).
    case standalone
    /// The step itself: the zero-byte event recorded where a phase begins (`Scopes.phaseBegins`), never bytes.
    case step
}
