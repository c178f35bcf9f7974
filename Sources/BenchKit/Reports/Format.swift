// Number formatting shared by tables and CSV.
import Foundation

public enum Format {
    /// GMACs with two decimals, or three significant digits below 1.
    public static func gmacs(_ macs: Int) -> String {
        let g = Double(macs) / 1e9
        return g >= 1 ? String(format: "%.2f", g) : String(format: "%.3g", g)
    }

    /// Bytes as MiB with one decimal.
    public static func mib(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }


    public static func fixed(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }

    /// The median of ascending `sorted` values (the mean of the middle two for an even count; 0 when empty).
    public static func median(sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }
}

extension Format {
    /// Bytes as GiB with one decimal.
    public static func gib(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_073_741_824) }

    /// Seconds as "42s", "3m05s" or "1h02m".
    public static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
    }
}

extension Format {
    /// A size as a user writes it: in the largest binary unit it fills, to one decimal without a trailing ".0"
    /// ("1000 TiB", "1.5 GiB", "512 MiB").
    public static func bytes(_ n: Int) -> String {
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where n >= 1 << shift {
            let text = String(format: "%.1f", Double(n) / Double(1 << shift))
            return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + " " + unit
        }
        return "\(n) bytes"
    }

    /// A memory size as "2.0 GiB", or "8 MiB" below one GiB.
    public static func size(_ bytes: Double) -> String {
        bytes >= 1_073_741_824 ? String(format: "%.1f GiB", bytes / 1_073_741_824) : String(format: "%.0f MiB", bytes / 1_048_576)
    }
}
