// `bench stability`: how exact reversible backprop stays with depth and through training. For each depth, a reversible
// model trains K steps on seeded synthetic data with the reversible (recompute) backward; at chosen steps one probe
// batch is run twice on the same weights and drop-path masks, once with the recompute backward (recording how well
// every block's inputs were rebuilt) and once with the model's own store-everything backprop (the reference), and the
// two sets of gradients are compared. Nothing here computes a gradient of its own.
import Foundation
import Engine
import Models

public enum Stability {
    /// One measurement on the model's current weights: the probe batch through the recompute backward and through
    /// store-everything backprop, with the same drop-path masks. Leaves gradients zeroed and the model in recompute
    /// mode; the optimizer never sees these gradients.
    public static func measure(_ model: ReversibleModel, name: String, images: Tensor, labels: [Int], step: Int) -> StabilityRecord {
        let parameters = model.parameters
        let rng = model.dropPathRNG
        parameters.zeroGradients()
        model.backprop = .recompute
        model.recordsReconstructionError = true
        let lossRecompute = model.forwardBackward(images: images, labels: labels)
        let recompute = GradientSet(parameters)
        let errors = model.reconstructionErrors
        model.recordsReconstructionError = false
        parameters.zeroGradients()
        model.dropPathRNG = rng                              // the same masks again
        model.backprop = .storeEverything
        let lossStore = model.forwardBackward(images: images, labels: labels)
        let store = GradientSet(parameters)
        parameters.zeroGradients()
        model.backprop = .recompute
        model.dropPathRNG = rng

        let c = model.config
        var row = StabilityRecord(model: name, depth: c.depth, step: step)
        row.lossRecompute = lossRecompute
        row.lossStore = lossStore
        let g = GradientSet.relativeError(recompute, reference: store)
        row.gradRelativeError = g.overall
        row.gradRelativeErrorWorst = g.worst
        row.worstParameter = g.name
        row.reconstructionMaxRelative = errors.map(\.maxRelative).max()
        row.reconstructionRMSRelative = errors.map(\.rmsRelative).max()
        row.largestActivation = errors.map(\.largestActivation).max()
        row.blockReconstructionMaxRelative = StabilityRecord.list(errors.map(\.maxRelative))
        row.blockReconstructionRMSRelative = StabilityRecord.list(errors.map(\.rmsRelative))
        row.blockLargestActivation = StabilityRecord.list(errors.map(\.largestActivation))
        return row
    }

    /// Trains each depth for `request.steps` steps and measures at `request.measuredSteps`; `emit` receives each
    /// row as soon as it is measured (the caller appends it to the CSV), `log` one line per measurement.
    public static func run(_ request: StabilityRequest, emit: (StabilityRecord) throws -> Void,
                           log: (String) -> Void) throws {
        BLAS.threads = request.threads
        Parallel.workers = request.threads
        // The ETA covers every depth still to run, weighted by predicted work (a deeper model's steps take longer).
        let work = request.configurations.map {
            Double($0.macsPerImage(.reversible)) * Double(4 * request.steps + 7 * request.measuredSteps.count)
        }
        let totalWork = work.reduce(0, +), start = Date()
        for (index, config) in request.configurations.enumerated() {
            let depth = config.depth
            guard let model = Presets.makeModel(config, variant: .reversible, seed: request.seed) as? ReversibleModel else {
                throw BenchError("\(config.model) has no reversible twin")
            }
            let optimizer = AdamW(model.parameters, lr: request.learningRate)
            var rng = SeededRNG(seed: request.seed &+ 99)
            func batch() -> (Tensor, [Int]) {
                let images = Tensor([request.batch, config.channels, config.imageSize, config.imageSize], zeroed: false)
                rng.fillNormal(images, std: 1, truncated: false)
                return (images, (0..<request.batch).map { _ in rng.int(below: config.classes) })
            }
            let (probeImages, probeLabels) = batch()    // the same probe batch at every measurement
            let measured = Set(request.measuredSteps)
            for step in 0...request.steps {
                if measured.contains(step) {
                    var row = measure(model, name: config.model, images: probeImages,
                                      labels: probeLabels, step: step)
                    row.width = config.width; row.heads = config.heads; row.imageSize = config.imageSize
                    row.patchSize = config.patchSize; row.batch = request.batch
                    row.learningRate = Double(request.learningRate); row.dropPath = Double(config.dropPath)
                    row.seed = request.seed
                    try emit(row)
                    let done = work[..<index].reduce(0, +) + work[index] * Double(step) / Double(max(request.steps, 1))
                    let eta = done > 0
                        ? ", ETA \(Format.duration(Date().timeIntervalSince(start) / done * max(0, totalWork - done)))" : ""
                    log("depth \(depth) step \(step)/\(request.steps): grad rel error \(String(format: "%.2e", row.gradRelativeError ?? 0)), "
                        + "reconstruction max rel \(String(format: "%.2e", row.reconstructionMaxRelative ?? 0)), "
                        + "largest |x| \(String(format: "%.1f", row.largestActivation ?? 0)), loss \(row.lossRecompute ?? 0)\(eta)")
                }
                if step < request.steps {
                    let (images, labels) = batch()
                    model.trainStep(images: images, labels: labels, optimizer: optimizer)
                }
            }
        }
    }

    /// SVG charts from stability rows: per model and learning rate, reconstruction error vs block index at the last
    /// measured step of each depth, and gradient error vs training step per depth. Rows at another learning rate than
    /// `bench stability`'s default (1e-4) get charts of their own, named with it (`..._lr0.001.svg`). A file that holds
    /// several runs (`bench reproduce` reruns the stability commands and appends) is drawn from its newest run of
    /// each depth (`newestRuns`).
    public static func charts(_ all: [StabilityRecord]) -> [(String, String)] {
        let rows = newestRuns(all)
        func name(_ r: StabilityRecord) -> String {
            guard let lr = r.learningRate, abs(lr - 1e-4) > 1e-9 else { return r.model }
            return r.model + "_lr" + String(format: "%g", Float(lr))
        }
        var out: [(String, String)] = []
        var models: [String] = []
        for r in rows where !models.contains(name(r)) { models.append(name(r)) }
        for model in models {
            let mine = rows.filter { name($0) == model && ($0.error ?? "").isEmpty }
            let depths = Array(Set(mine.map(\.depth))).sorted()
            let lastRows = depths.compactMap { d in mine.filter { $0.depth == d }.max { $0.step < $1.step } }
            let perBlock = lastRows.map { r in
                SVGChart.Series("depth \(r.depth), step \(r.step)", StabilityRecord.values(r.blockReconstructionMaxRelative)
                    .enumerated().map { (Double($0.offset), max($0.element, 1e-12)) })
            }
            out.append(("stability_reconstruction_\(model).svg", SVGChart(
                title: "\(model): reconstruction error per block (last measured step)", xLabel: "block index",
                yLabel: "max |X_rec - X| / RMS(X)", series: perBlock, logY: true).render()))
            let perStep = depths.map { d in
                SVGChart.Series("depth \(d)", mine.filter { $0.depth == d }.sorted { $0.step < $1.step }
                    .compactMap { r in r.gradRelativeError.map { (Double(r.step), max($0, 1e-12)) } })
            }
            out.append(("stability_gradient_\(model).svg", SVGChart(
                title: "\(model): recompute vs store-everything gradients", xLabel: "training step",
                yLabel: "||g_rec - g_store|| / ||g_store||", series: perStep, logY: true).render()))
        }
        return out
    }

    /// The rows of the newest run of each model, learning rate and depth: a run's rows are appended step by step from
    /// step 0, so a later step-0 row of the same model, learning rate and depth starts a newer run, and the rows
    /// before it are left out. Rows keep their order.
    static func newestRuns(_ rows: [StabilityRecord]) -> [StabilityRecord] {
        func run(_ r: StabilityRecord) -> String { "\(r.model) \(r.learningRate.map { "\($0)" } ?? "") \(r.depth)" }
        var start: [String: Int] = [:]
        for (i, r) in rows.enumerated() where r.step == 0 { start[run(r)] = i }
        return rows.enumerated().filter { i, r in i >= start[run(r), default: 0] }.map(\.element)
    }
}
