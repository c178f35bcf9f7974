// The parts every chart of bench draws alike (line and bar charts, the profiler's timeline and stacked bars): the
// document's opening, the centred title lines, and a horizontal grid line with its tick label.

extension SVGChart {
    /// The `<svg>` element of `width` x `height` (sans-serif at the charts' font size) and its white background.
    static func opening(width: Double, height: Double) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="\(Int(fontSize))">
        <rect width="100%" height="100%" fill="white"/>

        """
    }

    /// The title's lines, centred across `width`, the first 28 px from the top and each next 20 px lower.
    static func titles(_ lines: [String], width: Double) -> String {
        lines.enumerated().map { i, line in
            "<text x=\"\(width / 2)\" y=\"\(28 + Double(i) * 20)\" text-anchor=\"middle\" font-size=\"\(Int(titleSize))\" font-weight=\"bold\">\(escape(line))</text>\n"
        }.joined()
    }

    /// A grey grid line across the plot (from `left`, `plotWidth` wide) at height `y`, and `label` right-aligned
    /// left of it at `labelY`; the heights come as the caller writes them (rounded or not).
    static func gridLine(left: Double, plotWidth: Double, y: String, labelY: String, label: String) -> String {
        "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\" stroke=\"#e0e0e0\"/>\n"
            + "<text x=\"\(left - 8)\" y=\"\(labelY)\" text-anchor=\"end\">\(label)</text>\n"
    }

    /// The plot's two black axes: along its bottom and up its left side.
    static func axes(left: Double, top: Double, plotWidth: Double, plotHeight: Double) -> String {
        "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"black\"/>\n"
            + "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"black\"/>\n"
    }

    /// The y axis's label, turned upright, centred beside a plot from `top`, `plotHeight` high.
    static func yAxisLabel(_ text: String, top: Double, plotHeight: Double) -> String {
        "<text transform=\"translate(20 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(text))</text>\n"
    }
}
