// The machine's SGEMM and elementwise rates at one thread count, as bench calibrate prints them.

/// SGEMM GFLOP/s and LayerNorm / GELU GB/s at `threads` threads.
public struct KernelRates: Sendable {
    public var threads: Int
    public var sgemmGFLOPs: Double
    public var layerNormForwardGBs: Double
    public var layerNormBackwardGBs: Double
    public var geluForwardGBs: Double
    public var geluBackwardGBs: Double
}
