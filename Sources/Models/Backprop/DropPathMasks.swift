// The drop-path multipliers of one block's forward, drawn once per step and replayed by any recompute (the
// checkpointed stack, the reversible run): every block kind takes them, so they live with drop-path, not in a block.

/// Drop-path multipliers of one forward of one block: per image, for the F and the G branch (nil: no drop-path).
public struct DropPathMasks {
    public var f: [Float]?
    public var g: [Float]?
    public init(f: [Float]? = nil, g: [Float]? = nil) { self.f = f; self.g = g }
}
