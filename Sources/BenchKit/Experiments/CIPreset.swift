// The configurations bench check measures: small twins whose ledger figures are the same on any machine.
import Foundation
import Models

/// The small twins CI measures: tiny width, 32x32 images, depths 4 and 16, batches 2 and 4, all three variants.
/// One thread, so every ledger figure (LayerNorm's per-thread workspace included) is the same on any machine;
/// ten timed steps because each takes milliseconds.
public enum CIPreset {
    public static let model = "vit_tiny_test"
    public static let depths = [4, 16]
    public static let batches = [2, 4]
    public static let threads = 1

    public static func requests(steps: Int = 10, warmup: Int = 2) throws -> [RunRequest] {
        try depths.flatMap { d in
            let configuration = try Presets.configuration(model) { $0.depth = d }
            return batches.flatMap { b in
                Variant.allCases.map { v in
                    RunRequest(configuration, variant: v, batch: b,
                               steps: steps, warmup: warmup, threads: threads, seed: 0)
                }
            }
        }
    }
}
