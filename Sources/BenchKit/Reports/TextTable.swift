// Plain-text tables with aligned columns for terminal output.
import Foundation

public enum TextTable {
    /// Renders `rows` (first row = header) with columns padded to width; `rightAligned` holds column indices.
    public static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        guard let header = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: header.count)
        for r in rows { for (i, cell) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
        }
        var out = [line(header), widths.map { String(repeating: "-", count: max($0, 1)) }.joined(separator: "  ")]
        for r in rows.dropFirst() { out.append(line(r)) }
        return out.joined(separator: "\n")
    }
}
