// A run of reversible blocks, shared by Rev-ViT and Rev-MViT: the forward keeps only the run's final streams and
// the backward reconstructs each block's inputs from its outputs, recomputing F and G one block at a time.
//   Y1 = X1 + F(X2)        inverse:  X2 = Y2 - G(Y1)
//   Y2 = X2 + G(Y1)                  X1 = Y1 - F(X2)
// In store-everything mode (debug and reference) the forward keeps every F and G saved state instead, as an
// autograd framework would, and the backward uses them without recomputing.
// Dimensions: B = batch, N = tokens, C = stream width.
import Engine

extension TransformerBlock: ReversibleBlock {
    public func forwardF(_ x: Tensor) -> (Tensor, AttentionSublayer.Saved) { f.forward(x) }
    public func backwardF(_ dy: Tensor, _ saved: consuming AttentionSublayer.Saved) -> Tensor { f.backward(dy, saved) }
    public func forwardG(_ x: Tensor) -> (Tensor, MLPSublayer.Saved) { g.forward(x) }
    public func backwardG(_ dy: Tensor, _ saved: consuming MLPSublayer.Saved) -> Tensor { g.backward(dy, saved) }
}

public enum ReversibleRun {
    /// What one run keeps for backward.
    public struct Saved<Block: ReversibleBlock> {
        public var y1: Tensor, y2: Tensor                     // (B, N, C) outputs of the run's last block
        var stored: [(Block.FSaved, Block.GSaved)]            // store-everything mode only
        var inputs: [(Tensor, Tensor)]                        // forward inputs per block, when recording reconstruction
        let masks: [DropPathMasks]
    }

    /// Runs `blocks` from X1 = X2 = x.
    public static func forward<Block: ReversibleBlock>(_ x: consuming Tensor, blocks: [Block], masks: [DropPathMasks],
                                                       storeEverything: Bool, recordInputs: Bool = false) -> Saved<Block> {
        var x1 = copy x               // both streams start as the input, sharing its storage
        var x2 = consume x
        var stored: [(Block.FSaved, Block.GSaved)] = []
        var inputs: [(Tensor, Tensor)] = []
        for (i, block) in blocks.enumerated() {
            let outer = Scopes.enter(block.scopes.layer.forward)
            defer { Scopes.leave(outer) }
            if recordInputs { inputs.append((x1, x2)) }
            let y1: Tensor, y2: Tensor
            var fSaved: Block.FSaved?, gSaved: Block.GSaved?
            do {
                let (f, s) = block.forwardF(x2)
                if storeEverything { fSaved = s }
                DropPath.apply(f, masks[i].f)
                y1 = Scopes.within(block.scopes.stream1) { Elementwise.add(x1, f) }
            }
            do {
                let (g, s) = block.forwardG(y1)
                if storeEverything { gSaved = s }
                DropPath.apply(g, masks[i].g)
                y2 = Scopes.within(block.scopes.stream2) { Elementwise.add(x2, g) }
            }
            if storeEverything { stored.append((fSaved!, gSaved!)) }
            x1 = y1; x2 = y2
        }
        return Saved(y1: x1, y2: x2, stored: stored, inputs: inputs, masks: masks)
    }

    /// Backpropagates (dY1, dY2) through the run, adding parameter gradients; returns the gradient of the run's input
    /// (dX1 + dX2, since both streams started as it) and, when inputs were recorded, how well each block's inputs
    /// were reconstructed (index 0 = first block).
    public static func backward<Block: ReversibleBlock>(_ saved: consuming Saved<Block>, blocks: [Block],
                                                        dy1: Tensor, dy2: Tensor) -> (dx: Tensor, reconstructionErrors: [ReconstructionError]) {
        var errors: [ReconstructionError] = []
        let masks = saved.masks
        for i in blocks.indices.reversed() {
            let block = blocks[i]
            let outer = Scopes.enter(block.scopes.layer.backward)
            defer { Scopes.leave(outer) }
            if !saved.stored.isEmpty {
                let (fSaved, gSaved) = saved.stored.removeLast()
                let dG = block.backwardG(DropPath.backward(dy2, masks[i].g), consume gSaved)
                Elementwise.accumulate(dy1, dG)                         // dY1 total = dY1 + G'(Y1)^T dY2
                let dF = block.backwardF(DropPath.backward(dy1, masks[i].f), consume fSaved)
                Elementwise.accumulate(dy2, dF)                         // dX2 = dY2 + F'(X2)^T dY1
                continue
            }
            // Recompute G on Y1, backprop dY2 through it, reconstruct X2 = Y2 - G(Y1).
            let recX2: Tensor
            do {
                let (g, gSaved) = block.forwardG(saved.y1)
                DropPath.apply(g, masks[i].g)
                let dG = block.backwardG(DropPath.backward(dy2, masks[i].g), consume gSaved)
                Elementwise.accumulate(dy1, dG)
                recX2 = Scopes.within(block.scopes.reconstructed) { Elementwise.subtract(saved.y2, g) }
            }
            saved.y2 = recX2
            // Recompute F on X2, backprop dY1 through it, reconstruct X1 = Y1 - F(X2).
            let recX1: Tensor
            do {
                let (f, fSaved) = block.forwardF(recX2)
                DropPath.apply(f, masks[i].f)
                let dF = block.backwardF(DropPath.backward(dy1, masks[i].f), consume fSaved)
                Elementwise.accumulate(dy2, dF)
                recX1 = Scopes.within(block.scopes.reconstructed) { Elementwise.subtract(saved.y1, f) }
            }
            saved.y1 = recX1
            if !saved.inputs.isEmpty {
                let forward = saved.inputs.removeLast()
                errors.insert(ReconstructionError(reconstructed: (saved.y1, saved.y2), forward: forward), at: 0)
            }
        }
        Elementwise.accumulate(dy1, dy2)
        return (dy1, errors)
    }

    /// Forward only, keeping nothing for backward: the run's output streams.
    public static func outputs<Block: ReversibleBlock>(_ x: Tensor, blocks: [Block]) -> (Tensor, Tensor) {
        var x1 = x, x2 = x
        for block in blocks {
            let y1 = Elementwise.add(x1, block.forwardF(x2).0)
            x2 = Elementwise.add(x2, block.forwardG(y1).0)
            x1 = y1
        }
        return (x1, x2)
    }
}
