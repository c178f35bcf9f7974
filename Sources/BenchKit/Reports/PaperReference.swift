// The paper's Table 1 (ImageNet-1k, 224x224), as given in summaries of the paper: MB per image of training
// memory, and max batch on its 16 GiB-class device. Shown beside measurements whose configuration matches.

import Models

public enum PaperReference {
    /// Paper rows by pair preset name, at the preset's own depth and image size (224x224).
    public static let table1: [String: PaperRow] = [
        "vit_small_patch16_224": PaperRow(standardMBPerImage: 66.5, reversibleMBPerImage: 8.8, standardMaxBatch: 207, reversibleMaxBatch: 1232),
        "vit_base_patch16_224": PaperRow(standardMBPerImage: 129.7, reversibleMBPerImage: 17.0, standardMaxBatch: 95, reversibleMaxBatch: 602),
        "vit_large_patch16_224": PaperRow(standardMBPerImage: 349.3, reversibleMBPerImage: 22.6, standardMaxBatch: 26, reversibleMaxBatch: 341),
        "mvit_base_16": PaperRow(standardMBPerImage: 153.6, reversibleMBPerImage: 66.8, standardMaxBatch: 89, reversibleMaxBatch: 157),
    ]

    /// The paper row for a measured row, when model, depth, width, image and patch size are the paper's.
    public static func row(for r: RunRecord) -> PaperRow? {
        guard let paper = table1[r.model], let preset = try? Presets.named(r.model).config,
              r.depth == preset.depth, r.imageSize == preset.imageSize,
              r.patchSize == preset.patchSize, r.width == preset.width else { return nil }
        return paper
    }
}
