// A small SVG chart renderer, enough for RevBench's plots without a plotting dependency: titled axes with units,
// round-number ticks (decades on a log axis, spanning the data), one coloured series per variant with point markers
// and a legend; a chart whose series share a single x (one depth) becomes grouped bars, variants side by side.
// Margins are sized from the text they hold, so titles, tick labels and legends are never clipped.
import Foundation

public struct SVGChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Its colour; nil takes the palette's colour at the series' position.
        public var color: String?
        public init(_ name: String, _ points: [(x: Double, y: Double)], color: String? = nil) {
            self.name = name; self.points = points; self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 720.0, height = 440.0
    /// A logarithmic y axis (decades), for errors spanning orders of magnitude; y values must be positive.
    public var logY = false

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logY = logY
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    static let fontSize = 12.0, titleSize = 16.0

    /// Round tick values covering lo...hi (about five); whole numbers only when `integral` (block indices).
    static func ticks(_ lo: Double, _ hi: Double, integral: Bool = false) -> [Double] {
        let span = max(hi - lo, 1e-12)
        let raw = span / 5
        let mag = pow(10, floor(log10(raw)))
        let steps = (integral ? [1.0, 2, 5, 10] : [1.0, 2, 2.5, 5, 10]).map { $0 * mag }.filter { !integral || $0 >= 1 }
        let step = steps.first { $0 >= raw } ?? 10 * mag
        var t = floor(lo / step) * step
        var out: [Double] = [t]
        while t < hi - step * 1e-9 { t += step; out.append(t) }  // the last tick is at or above hi
        return out
    }

    /// Decade exponents from the smallest value's decade to the largest's (at least one decade): the log axis spans
    /// the data and no more.
    static func decades(_ values: [Double]) -> [Double] {
        let logs = values.filter { $0 > 0 }.map(log10)
        let lo = Int(floor((logs.min() ?? 0) + 1e-9)), hi = max(Int(ceil((logs.max() ?? 1) - 1e-9)), lo + 1)
        return (lo...hi).map(Double.init)
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        return abs(v) >= 10 ? String(format: "%.0f", v) : String(format: "%.2g", v)
    }

    /// A measured value as a bar's label, as the tables print it: one decimal, three significant digits below 10.
    static func valueLabel(_ v: Double) -> String {
        if v == v.rounded() || abs(v) >= 1000 { return String(format: "%.0f", v) }
        return abs(v) >= 10 ? String(format: "%.1f", v) : String(format: "%.3g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// An upper estimate of a text's width in pixels (sans-serif; bold runs wider).
    static func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
        Double(s.count) * size * (bold ? 0.66 : 0.6)
    }

    /// `text` broken at spaces into lines no wider than `width`.
    static func wrap(_ text: String, width: Double, size: Double, bold: Bool) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ").map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if !line.isEmpty && textWidth(candidate, size: size, bold: bold) > width { lines.append(line); line = word }
            else { line = candidate }
        }
        return lines + (line.isEmpty ? [] : [line])
    }

    /// Whether the chart is drawn as grouped bars: every series' points share one x (a configuration measured at one
    /// depth), where a line chart would show floating dots on an empty axis.
    var isGroupedBars: Bool {
        !logY && Set(series.flatMap { $0.points.map(\.x) }).count == 1
    }

    public func render() -> String {
        let ys = series.flatMap { $0.points.map(\.y) }
        let yTicks = logY ? Self.decades(ys) : Self.ticks(0, max(ys.max() ?? 1, 1e-9))
        let yTickLabels = yTicks.map { logY ? "1e\(Int($0))" : Self.label($0) }
        // Margins from the text they hold: the title's lines, the widest y tick label, the legend's longest name.
        let titleLines = Self.wrap(title, width: width - 24, size: Self.titleSize, bold: true)
        let top = 24 + Double(titleLines.count) * 20 + 10
        let left = 34 + (yTickLabels.map { Self.textWidth($0, size: Self.fontSize) }.max() ?? 0) + 10
        let legendWidth = series.map { Self.textWidth($0.name, size: Self.fontSize) }.max() ?? 0
        let right = isGroupedBars ? 20.0 : 15 + 31 + legendWidth + 10
        let bottom = isGroupedBars ? 78.0 : 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        let y0 = logY ? yTicks.first! : 0, y1 = max(yTicks.last!, y0 + 1e-9)
        // On a log axis the ticks are decades and the series' values are placed by their logarithm.
        func value(_ y: Double) -> Double { logY ? log10(max(y, .leastNonzeroMagnitude)) : y }
        func py(_ y: Double) -> Double { top + plotH - (value(y) - y0) / (y1 - y0) * plotH }

        var s = Self.opening(width: width, height: height) + Self.titles(titleLines, width: width)
        for (t, text) in zip(yTicks, yTickLabels) {
            let y = logY ? top + plotH - (t - y0) / (y1 - y0) * plotH : py(t)
            s += Self.gridLine(left: left, plotWidth: plotW, y: "\(y)", labelY: "\(y + 4)", label: text)
        }
        s += isGroupedBars ? bars(left: left, plotW: plotW, top: top, plotH: plotH, py: py)
                           : lines(left: left, plotW: plotW, top: top, plotH: plotH, py: py)
        s += Self.axes(left: left, top: top, plotWidth: plotW, plotHeight: plotH)
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 15)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += Self.yAxisLabel(yLabel, top: top, plotHeight: plotH)
        return s + "</svg>\n"
    }

    /// One polyline with point markers per series, x ticks at the x values when there are few (depths), a legend.
    func lines(left: Double, plotW: Double, top: Double, plotH: Double, py: (Double) -> Double) -> String {
        let xs = series.flatMap { $0.points.map(\.x) }
        let distinctX = Array(Set(xs)).sorted()
        let xTicks = (2...8).contains(distinctX.count) ? distinctX
            : Self.ticks(xs.min() ?? 0, xs.max() ?? 1, integral: xs.allSatisfy { $0 == $0.rounded() })
        let x0 = xTicks.first!, x1 = max(xTicks.last!, x0 + 1e-9)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        var s = ""
        for t in xTicks {
            s += "<line x1=\"\(px(t))\" y1=\"\(top + plotH)\" x2=\"\(px(t))\" y2=\"\(top + plotH + 5)\" stroke=\"black\"/>\n"
            s += "<text x=\"\(px(t))\" y=\"\(top + plotH + 20)\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for (i, series) in series.enumerated() {
            let color = series.color ?? Self.colors[i % Self.colors.count]
            let pts = series.points.sorted { $0.x < $1.x }
            let path = pts.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            s += "<g class=\"series\" data-name=\"\(Self.escape(series.name))\">\n"
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for p in pts {
                s += "<circle cx=\"\(px(p.x))\" cy=\"\(py(p.y))\" r=\"4\" fill=\"\(color)\"><title>\(Self.escape(series.name)): \(Self.label(p.x)), \(String(format: "%.3g", p.y))</title></circle>\n"
            }
            s += "</g>\n"
            let ly = top + 10 + Double(i) * 22
            s += "<line x1=\"\(left + plotW + 15)\" y1=\"\(ly)\" x2=\"\(left + plotW + 40)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(left + plotW + 46)\" y=\"\(ly + 4)\">\(Self.escape(series.name))</text>\n"
        }
        return s
    }

    /// Grouped bars at the one x value: a bar per series side by side, its value above it and its name below it,
    /// the x value (e.g. the depth) under the group.
    func bars(left: Double, plotW: Double, top: Double, plotH: Double, py: (Double) -> Double) -> String {
        let x = series.lazy.compactMap { $0.points.first?.x }.first ?? 0
        let barW = min(110, plotW * 0.8 / Double(max(series.count, 1))), gap = barW * 0.25
        let groupW = Double(series.count) * barW + Double(max(series.count - 1, 0)) * gap
        var bx = left + (plotW - groupW) / 2
        var s = ""
        for (i, series) in series.enumerated() {
            let color = series.color ?? Self.colors[i % Self.colors.count]
            s += "<g class=\"series\" data-name=\"\(Self.escape(series.name))\">\n"
            if let y = series.points.first?.y {
                let h = max(top + plotH - py(y), 0)
                s += "<rect x=\"\(bx)\" y=\"\(top + plotH - h)\" width=\"\(barW)\" height=\"\(h)\" fill=\"\(color)\"><title>\(Self.escape(series.name)): \(Self.label(x)), \(String(format: "%.3g", y))</title></rect>\n"
                s += "<text x=\"\(bx + barW / 2)\" y=\"\(top + plotH - h - 6)\" text-anchor=\"middle\">\(Self.valueLabel(y))</text>\n"
            }
            s += "<text x=\"\(bx + barW / 2)\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\" fill=\"\(color)\">\(Self.escape(series.name))</text>\n"
            s += "</g>\n"
            bx += barW + gap
        }
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(top + plotH + 40)\" text-anchor=\"middle\">\(Self.label(x))</text>\n"
        return s
    }
}
