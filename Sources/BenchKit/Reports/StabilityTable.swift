// The table `bench stability` prints: per depth and measured step, loss, gradient error and reconstruction error.
import Foundation

public enum StabilityTable {
    public static func render(_ rows: [StabilityRecord]) -> String {
        func e(_ x: Double?) -> String { x.map { String(format: "%.2e", $0) } ?? "" }
        typealias Key = StabilityRecord.CodingKeys
        var table = [[Key.model, .depth, .step].map(\.rawValue) + ["loss (rec / store)", "grad rel err", "worst tensor", "recon max rel",
                      "recon rms rel", "largest |x|"]]
        for r in rows {
            table.append([r.model, "\(r.depth)", "\(r.step)",
                          "\(r.lossRecompute.map { String(format: "%.4f", $0) } ?? "") / \(r.lossStore.map { String(format: "%.4f", $0) } ?? "")",
                          e(r.gradRelativeError), "\(e(r.gradRelativeErrorWorst)) \(r.worstParameter ?? "")",
                          e(r.reconstructionMaxRelative), e(r.reconstructionRMSRelative),
                          r.largestActivation.map { String(format: "%.1f", $0) } ?? ""])
        }
        return TextTable.render(table, rightAligned: [1, 2, 4, 6, 7, 8])
    }
}
