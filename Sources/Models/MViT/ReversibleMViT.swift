// Rev-MViT-B: a segment plan of reversible runs ([0], [2], [4-13], [15] in Rev-MViT-B) separated by
// non-reversible stage-transition blocks (1, 3, 14). Each run starts with X1 = X2 = x and ends with (Y1, Y2);
// the next transition takes [Y1, Y2] (width 2C = the new stage width); the head takes LayerNorm([Y1, Y2]),
// mean over tokens, Linear. Backward reconstructs each run's block inputs from its outputs and recomputes F and G;
// transitions keep their saved tensors like a standard block (the paper's code), or with `transitions = .recompute`
// only their input, recomputing the transition in backward.
// Dimensions: B = batch, N = S*S tokens (no class token), C = stream width.
import Engine

public final class ReversibleMViT: VisionModel {
    public enum Segment {
        case run([RevMViTBlock])
        case transition(RevMViTTransition)
    }

    public let config: ModelConfiguration
    public let variant: Variant = .reversible
    public var backprop: ReversibleBackprop
    /// Whether the stage transitions keep their saved tensors (.store, the paper's code) or only their input.
    public var transitions: TransitionBackprop
    public let plan: MViTPlan
    public let stem: ConvStem
    public let position: PositionEmbedding  // (1, N, w)
    public let segments: [Segment]
    public let head: StreamsHead            // LayerNorm over [Y1, Y2], mean over tokens, Linear
    /// Draws the drop-path masks of each step (saved and restored to replay a step exactly).
    public var dropPathRNG: SeededRNG
    /// When set, forward keeps every reversible block's inputs and backward records how well it rebuilt them.
    public var recordsReconstructionError = false
    /// Per reversible block, in block order (transitions have none).
    public private(set) var reconstructionErrors: [ReconstructionError] = []

    public init(_ config: ModelConfiguration, backprop: ReversibleBackprop = .recompute, transitions: TransitionBackprop = .store,
                seed: UInt64 = 0, initialize: Bool = true) {
        self.config = config
        self.backprop = backprop
        self.transitions = transitions
        plan = MViTPlan(config)
        stem = ConvStem("patch_embed", imageSize: config.imageSize, channels: config.channels, width: config.width,
                        kernel: 7, stride: config.patchSize, padding: 3)
        position = PositionEmbedding(tokens: plan.gridSide * plan.gridSide, width: config.width)
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
        head = StreamsHead(streamWidth: plan.blocks.last!.width, classes: config.classes)
        dropPathRNG = SeededRNG(seed: seed &+ 0x5EED)
        if initialize { initializeWeights(parameters, seed: seed) }
    }

    public var parameters: [Parameter] {
        stem.parameters + position.parameters + segments.flatMap { s -> [Parameter] in
            switch s {
            case .run(let blocks): return blocks.flatMap(\.parameters)
            case .transition(let t): return t.parameters
            }
        } + head.parameters
    }

    /// What one segment keeps for backward.
    enum SegmentSaved {
        case run(ReversibleRun.Saved<RevMViTBlock>)
        case transition(RevMViTTransition.Saved)
        case transitionInput(Tensor)            // .recompute: the transition's input (B, T*T, W) only

        // The payload, handed over: the segment's state is not kept alive beside it.
        consuming func run() -> ReversibleRun.Saved<RevMViTBlock> {
            guard case .run(let s) = self else { preconditionFailure("segment and saved state out of order") }
            return s
        }
        consuming func transition() -> RevMViTTransition.Saved {
            guard case .transition(let s) = self else { preconditionFailure("segment and saved state out of order") }
            return s
        }
        consuming func transitionInput() -> Tensor {
            guard case .transitionInput(let x) = self else { preconditionFailure("segment and saved state out of order") }
            return x
        }
    }

    public func forwardBackward(images: Tensor, labels: [Int]) -> Float {
        reconstructionErrors = []
        Ledger.shared.phase = .forward
        let b = images.shape[0]
        let masks = DropPath.drawMasks(blocks: plan.blocks.count, config: config, batch: b, rng: &dropPathRNG)  // transitions draw none
        var saved: [SegmentSaved] = []
        let (tokens, stemSaved) = stem.forward(images)
        var x: Tensor? = position.forward(consume tokens)  // the next segment's input, when it is one stream
        var streams: (Tensor, Tensor)?                     // a run's output
        for segment in segments {
            switch segment {
            case .transition(let t):
                let input = Scopes.within(t.scopes.input) { streams.map { Elementwise.concatLastDim($0.0, $0.1) } } ?? x!
                streams = nil
                if transitions == .recompute {
                    x = t.forward(input).0            // its saved tensors are freed here
                    saved.append(.transitionInput(input))
                } else {
                    let (y, s) = t.forward(input)
                    saved.append(.transition(s))
                    x = y
                }
            case .run(let blocks):
                let input = x!
                x = nil
                let first = blocks[0].spec.index
                let run = ReversibleRun.forward(consume input, blocks: blocks, masks: Array(masks[first..<(first + blocks.count)]),
                                                storeEverything: backprop == .storeEverything,
                                                recordInputs: recordsReconstructionError)
                streams = (run.y1, run.y2)
                saved.append(.run(run))
            }
        }
        let (loss, dy1, dy2) = head.lossAndGradients(streams!.0, streams!.1, labels: labels)
        streams = nil
        var dStreams: (Tensor, Tensor)? = (dy1, dy2)  // the last segment is a run
        var dOut: Tensor?                   // d of the next segment's single-stream input
        // Each segment's saved state leaves the array as its backward starts and is handed over (consumed), so
        // every tensor in it is freed as soon as that backward has used it.
        for segment in segments.reversed() {
            let state = saved.removeLast()
            switch segment {
            case .transition(let t):
                if transitions == .recompute {
                    let recomputed = t.forward((consume state).transitionInput()).1  // the recomputed output is dropped here
                    dOut = t.backward(dOut!, consume recomputed)
                } else {
                    dOut = t.backward(dOut!, (consume state).transition())  // d of the concatenated streams
                }
            case .run(let blocks):
                let (d1, d2) = dStreams ?? Scopes.within(blocks.last!.scopes.layer.backward) { Elementwise.splitLastDim(dOut!) }
                dStreams = nil
                dOut = nil                          // its two halves are d1 and d2 now
                let (dx, errors) = ReversibleRun.backward((consume state).run(), blocks: blocks, dy1: consume d1, dy2: consume d2)
                dOut = dx
                reconstructionErrors.insert(contentsOf: errors, at: 0)   // runs come last to first
            }
        }
        position.backward(dOut!)
        stem.backward(dOut!, stemSaved)
        return loss
    }

    public func logits(images: Tensor) -> Tensor {
        var x = position.forward(stem.forward(images).0)
        var streams: (Tensor, Tensor)?
        for segment in segments {
            switch segment {
            case .transition(let t):
                x = t.forward(streams.map { Elementwise.concatLastDim($0.0, $0.1) } ?? x).0
                streams = nil
            case .run(let blocks):
                streams = ReversibleRun.outputs(x, blocks: blocks)
            }
        }
        return head.forward(streams!.0, streams!.1).0
    }
}
