// The table `bench list` prints: every preset with its sizes, parameter count and GMACs from the model code.
import Foundation
import Models

public enum PresetTable {
    /// One row per preset. Parameter counts come from building the model (weights left uninitialized).
    public static func render() -> String {
        var rows: [[String]] = [[Column.model, .variant, .depth, .width, .heads, .tokens, .params].map(\.rawValue) + ["GMACs"]]
        for p in Presets.all {
            let model = Presets.makeModel(p.config, variant: p.architecture, initialize: false)
            rows.append([p.name, p.architecture.rawValue, "\(p.config.depth)", "\(p.config.width)", "\(p.config.heads)",
                         "\(p.config.tokens(p.architecture))", grouped(model.parameterCount),
                         Format.gmacs(model.macsPerImage)])
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
