// A model's configuration (ViT or MViT, standard or reversible twin): resolved once from a preset and the user's
// settings, validated once, carried inside the run request to the child and into the record. Validation with
// messages that name the bad values, and the analytic MAC count.

/// Everything that defines a model pair: ViT / Rev-ViT, or with family .mvit MViT-B / Rev-MViT-B. Adding a setting
/// means a field here (and its check in `validate()`), its CLI option and its results column.
public struct ModelConfiguration: Codable, Equatable, Sendable {
    /// The standard-side preset name of the pair this configuration was resolved from (what rows record as `model`).
    public var model = ""
    public var family: ModelFamily = .vit
    public var imageSize: Int
    public var patchSize: Int
    public var channels: Int = 3
    public var width: Int
    public var depth: Int
    public var heads: Int
    public var mlpRatio: Int = 4
    public var classes: Int = 1000
    /// Stochastic depth rate of the last block (linearly increasing from 0 over depth, as in timm); 0 disables it.
    public var dropPath: Float = 0
    /// Rev-MViT only: how the stage transitions backpropagate.
    public var transitions: TransitionBackprop = .store
    /// The attention core of every block.
    public var attention: AttentionKind = .math

    public init(imageSize: Int, patchSize: Int, width: Int, depth: Int, heads: Int, classes: Int = 1000,
                mlpRatio: Int = 4, channels: Int = 3, dropPath: Float = 0) {
        self.imageSize = imageSize; self.patchSize = patchSize; self.width = width; self.depth = depth
        self.heads = heads; self.classes = classes; self.mlpRatio = mlpRatio; self.channels = channels
        self.dropPath = dropPath
    }

    /// The largest sizes validate() accepts.
    public static let largestDepth = 10_000, largestWidth = 65_536, largestImageSize = 65_536, largestClasses = 10_000_000

    /// Patches per image (the reversible model's token count; the standard one adds a class token).
    public var patches: Int { (imageSize / patchSize) * (imageSize / patchSize) }

    /// Tokens through the blocks for a variant.
    public func tokens(_ variant: Variant) -> Int { variant == .reversible ? patches : patches + 1 }

    /// Throws a `ConfigError` naming the first bad value and the allowed range.
    public func validate() throws {
        func positive(_ v: Int, _ name: String) throws {
            if v < 1 { throw ConfigError("\(name) must be a positive integer, got \(v)") }
        }
        try positive(depth, "depth"); try positive(width, "width"); try positive(heads, "heads")
        try positive(imageSize, "image size"); try positive(patchSize, "patch size")
        try positive(classes, "classes"); try positive(mlpRatio, "mlp ratio"); try positive(channels, "channels")
        // Ranges far beyond any model trained, so that sizes derived from them (plans, counts) stay small enough to
        // compute; what a configuration within them needs is checked arithmetically by SizeCheck.
        for (value, name, limit) in [(depth, "depth", Self.largestDepth), (width, "width", Self.largestWidth),
                                     (imageSize, "image size", Self.largestImageSize), (classes, "classes", Self.largestClasses)]
        where value > limit {
            throw ConfigError("\(name) \(value) is outside 1...\(limit)")
        }
        if width % heads != 0 { throw ConfigError("width \(width) is not divisible by heads \(heads)") }
        if patchSize > imageSize { throw ConfigError("patch size \(patchSize) is larger than image size \(imageSize)") }
        if imageSize % patchSize != 0 {
            throw ConfigError("image size \(imageSize) is not divisible by patch size \(patchSize)")
        }
        if !(dropPath >= 0 && dropPath < 1) { throw ConfigError("drop-path rate must be in [0, 1), got \(dropPath)") }
        if transitions != .store && family != .mvit {
            throw ConfigError("transitions \(transitions.rawValue) applies to MViT presets only (Rev-MViT's stage transitions); "
                              + "this model has none")
        }
        if family == .mvit { try MViTPlan.validate(self) }
    }

    /// Forward multiply-adds per image: linears, the patch conv, q k^T and attn v (LayerNorm, softmax, GELU not
    /// counted, as fvcore counts them).
    public func macsPerImage(_ variant: Variant) -> Int {
        if family == .mvit { return MViTPlan(self).macs(self, variant: variant) }
        let n = tokens(variant), c = width
        let patchEmbed = patches * channels * patchSize * patchSize * c
        let attention = n * c * 3 * c + n * c * c + 2 * n * n * c
        let mlp = 2 * n * c * mlpRatio * c
        let head = (variant == .reversible ? 2 * c : c) * classes
        return patchEmbed + depth * (attention + mlp) + head
    }

    /// The drop-path rate of block `i`: linear from 0 to `dropPath`.
    public func dropPathRate(block i: Int) -> Float {
        depth <= 1 ? dropPath : dropPath * Float(i) / Float(depth - 1)
    }
}
