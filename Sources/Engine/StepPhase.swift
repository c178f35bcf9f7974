// The part of a training step the engine is in: forward, loss, backward, optimizer. Models set it as they go;
// the profiler stamps each recorded allocation and free with it.

/// The phase of a training step.
public enum StepPhase: UInt8, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case idle, forward, loss, backward, optimizer

    public var description: String {
        switch self {
        case .idle: return "idle"
        case .forward: return "forward"
        case .loss: return "loss"
        case .backward: return "backward"
        case .optimizer: return "optimizer"
        }
    }
}
