// The profiling overhead a child measured: CPU and wall seconds of training steps with recording off and on,
// alternating (bench profile --overhead-pairs).

/// CPU seconds of whole training steps with recording off and on, measured alternately in one process.
public struct ProfileOverhead: Codable, Sendable, Equatable {
    public var unprofiledCPUSeconds: [Double]
    public var profiledCPUSeconds: [Double]
    public var unprofiledWallSeconds: [Double]
    public var profiledWallSeconds: [Double]
}
