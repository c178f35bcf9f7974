// Rev-MViT-B: a segment plan of reversible runs ([0], [2], [4-13], [15] in Rev-MViT-B) separated by
// non-reversible stage-transition blocks (1, 3, 14). Each run starts with X1 = X2 = x and ends with (Y1, Y2);
// the next transition takes [Y1, Y2] (width 2C = the new stage width); the head takes LayerNorm([Y1, Y2]),
// mean over tokens, Linear. Backward reconstructs each run's block inputs from its outputs and recomputes F and G;
// transitions keep their saved tensors like a standard block.
// Dimensions: B = batch, N = S*S tokens (no class token), C = stream width.
import Engine

public final class ReversibleMViT: VisionModel {
    public enum Segment {
        case run([RevMViTBlock])
        case transition(RevMViTTransition)
    }

    public let config: ViTConfig
    public let variant: Variant = .reversible
    public var backprop: ReversibleViT.Backprop
    public let plan: MViTPlan
    public let stem: ConvStem
    public let posEmbed: Parameter     // (1, N, w)
    public let segments: [Segment]
    public let norm: LayerNorm         // 2 x last width
    public let head: Linear
    public var testingKeepsExtraActivation = false
    private var rng: SeededRNG

    public init(_ config: ViTConfig, backprop: ReversibleViT.Backprop = .recompute, seed: UInt64 = 0, initialize: Bool = true) {
        self.config = config
        self.backprop = backprop
        plan = MViTPlan(config)
        stem = ConvStem("patch_embed", imageSize: config.imageSize, channels: config.channels, width: config.width,
                        kernel: 7, stride: config.patchSize, padding: 3)
        posEmbed = Parameter("pos_embed", [1, plan.gridSide * plan.gridSide, config.width])
        var segs: [Segment] = []
        var run: [RevMViTBlock] = []
        for spec in plan.blocks {
            if spec.isTransition {
                if !run.isEmpty { segs.append(.run(run)); run = [] }
                segs.append(.transition(RevMViTTransition("blocks.\(spec.index)", spec)))
            } else {
                run.append(RevMViTBlock("blocks.\(spec.index)", spec))
            }
        }
        if !run.isEmpty { segs.append(.run(run)) }
        segments = segs
        let last = 2 * plan.blocks.last!.width
        norm = LayerNorm("norm", last)
        head = Linear("head", last, config.classes)
        rng = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        stem.parameters + [posEmbed] + segments.flatMap { s -> [Parameter] in
            switch s {
            case .run(let blocks): return blocks.flatMap(\.parameters)
            case .transition(let t): return t.parameters
            }
        } + norm.parameters + head.parameters
    }

    /// What one segment keeps for backward.
    enum SegmentSaved {
        case run(y1: Tensor, y2: Tensor, stored: [(RevMViTBlock.FSaved, RevMViTBlock.GSaved)], masks: [TransformerBlock.Masks])
        case transition(RevMViTTransition.Saved)
    }

    public func forwardBackward(images: Tensor, labels: [Int]) -> Float {
        let b = images.shape[0]
        var saved: [SegmentSaved] = []
        var extra: [Tensor] = []
        let allMasks = DropPath.drawMasks(blocks: plan.blocks.count, config: config, batch: b, rng: &rng)  // transitions draw none
        let (tokens, stemSaved) = stem.forward(images)
        var x: Tensor? = tokens
        do {
            let pos = posEmbed.value.data, per = tokens.count / b
            for bi in 0..<b { let row = tokens.data + bi * per; for i in 0..<per { row[i] += pos[i] } }
        }
        var streams: (Tensor, Tensor)?
        var blockIndex = 0
        for segment in segments {
            switch segment {
            case .transition(let t):
                let input = streams.map { Elementwise.concatLastDim($0.0, $0.1) } ?? x!
                streams = nil
                let (y, s) = t.forward(input)
                saved.append(.transition(s))
                x = y
                blockIndex += 1
            case .run(let blocks):
                var x1 = x!, x2 = x!
                x = nil
                var stored: [(RevMViTBlock.FSaved, RevMViTBlock.GSaved)] = []
                var masks: [TransformerBlock.Masks] = []
                for block in blocks {
                    let m = allMasks[blockIndex]
                    masks.append(m)
                    let (f, fs) = block.f(x2)
                    DropPath.apply(f, m.f)
                    let y1 = Elementwise.add(x1, f)
                    let (g, gs) = block.g(y1)
                    DropPath.apply(g, m.g)
                    let y2 = Elementwise.add(x2, g)
                    if backprop == .storeEverything { stored.append((fs, gs)) }
                    if testingKeepsExtraActivation { extra.append(y1.copy()) }
                    x1 = y1; x2 = y2
                    blockIndex += 1
                }
                saved.append(.run(y1: x1, y2: x2, stored: stored, masks: masks))
                streams = (x1, x2)
            }
        }
        // Head: LayerNorm over [Y1, Y2], mean over tokens, Linear.
        let (s1, s2) = streams!
        streams = nil
        let cat = Elementwise.concatLastDim(s1, s2)
        let n = cat.shape[1]
        let (normed, normSaved) = norm.forward(cat)
        let (logits, headSaved) = head.forward(TokenMean.forward(normed))
        let (loss, lossSaved) = CrossEntropy.forward(logits, labels: labels)
        let dPooled = head.backward(CrossEntropy.backward(lossSaved), headSaved)!
        var dOut: Tensor = norm.backward(TokenMean.backward(dPooled, tokens: n), normSaved)  // d[Y1, Y2] or d x
        // Each segment's saved state leaves the array as its backward starts, so it is freed once used.
        for segment in segments.reversed() {
            switch (segment, saved.removeLast()) {
            case (.transition(let t), .transition(let s)):
                dOut = t.backward(dOut, s)          // d of the concatenated streams (or of the stem tokens)
            case (.run(let blocks), .run(var y1, var y2, var stored, let masks)):
                let (dy1, dy2) = Elementwise.splitLastDim(dOut)
                for (i, block) in blocks.enumerated().reversed() {
                    if backprop == .storeEverything {
                        let (fs, gs) = stored.removeLast()
                        Elementwise.accumulate(dy1, block.gBackward(DropPath.backward(dy2, masks[i].g), gs))
                        Elementwise.accumulate(dy2, block.fBackward(DropPath.backward(dy1, masks[i].f), fs))
                        continue
                    }
                    do {  // X2 = Y2 - G(Y1)
                        let (g, gs) = block.g(y1)
                        DropPath.apply(g, masks[i].g)
                        Elementwise.accumulate(dy1, block.gBackward(DropPath.backward(dy2, masks[i].g), gs))
                        y2 = Elementwise.subtract(y2, g)
                    }
                    do {  // X1 = Y1 - F(X2)
                        let (f, fs) = block.f(y2)
                        DropPath.apply(f, masks[i].f)
                        Elementwise.accumulate(dy2, block.fBackward(DropPath.backward(dy1, masks[i].f), fs))
                        y1 = Elementwise.subtract(y1, f)
                    }
                }
                Elementwise.accumulate(dy1, dy2)    // both streams started as the run's input
                dOut = dy1
            default:
                preconditionFailure("segment and saved state out of order")
            }
        }
        let per = dOut.count / b, dPos = posEmbed.grad.data
        for bi in 0..<b { let row = dOut.data + bi * per; for j in 0..<per { dPos[j] += row[j] } }
        stem.backward(dOut, stemSaved)
        withExtendedLifetime(extra) {}
        return loss
    }

    public func logits(images: Tensor) -> Tensor {
        let saved = backprop
        defer { backprop = saved }
        let (tokens, _) = stem.forward(images)
        let b = images.shape[0], per = tokens.count / b, pos = posEmbed.value.data
        for bi in 0..<b { let row = tokens.data + bi * per; for i in 0..<per { row[i] += pos[i] } }
        var x = tokens
        var streams: (Tensor, Tensor)?
        for segment in segments {
            switch segment {
            case .transition(let t):
                x = t.forward(streams.map { Elementwise.concatLastDim($0.0, $0.1) } ?? x).0
                streams = nil
            case .run(let blocks):
                var x1 = x, x2 = x
                for block in blocks {
                    let y1 = Elementwise.add(x1, block.f(x2).0)
                    x2 = Elementwise.add(x2, block.g(y1).0)
                    x1 = y1
                }
                streams = (x1, x2)
            }
        }
        let cat = Elementwise.concatLastDim(streams!.0, streams!.1)
        return head.forward(TokenMean.forward(norm.forward(cat).0)).0
    }
}
