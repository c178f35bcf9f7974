// The table `bench list` prints: every preset with its sizes, parameter count and GMACs, computed from the
// layer definitions.
import Foundation
import Models

public enum PresetTable {
    /// One row per preset. Parameter counts and MACs are computed from the configuration (no model is built).
    public static func render() -> String {
        var rows: [[String]] = [[Column.model, .variant, .depth, .width, .heads, .tokens, .params].map(\.rawValue) + ["GMACs"]]
        for p in Presets.all {
            rows.append([p.name, p.architecture.rawValue, "\(p.config.depth)", "\(p.config.width)", "\(p.config.heads)",
                         "\(p.config.tokens(p.architecture))", grouped(p.config.parameterCount(p.architecture) ?? 0),
                         Format.gmacs(p.config.macsPerImage(p.architecture))])
        }
        return TextTable.render(rows, rightAligned: Set(2..<8))
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
