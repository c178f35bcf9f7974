// A stacked-bar SVG renderer (bench profile's "what holds the peak"): one bar per variant, its segments coloured
// by group (a legend names the groups) and, where a group spans several parts (block ranges), split by thin white
// lines with the part's name written inside when it fits. Axis and text helpers are SVGChart's.
import Foundation

/// Stacked bars with grouped, labelled segments.
public struct StackedBarChart {
    /// One piece of a bar: its group (colour and legend entry), its part (written inside) and its value.
    public struct Segment {
        public var group: String
        public var part: String
        public var value: Double
        public init(group: String, part: String, value: Double) { self.group = group; self.part = part; self.value = value }
    }

    /// One bar: its name under it, its total above it, and its segments bottom to top.
    public struct Bar {
        public var name: String
        public var segments: [Segment]
        public init(name: String, segments: [Segment]) { self.name = name; self.segments = segments }
    }

    public var title: String
    public var yLabel: String
    public var bars: [Bar]
    /// The groups in legend order (bottom of the stack first); groups not listed follow in order of appearance.
    public var groupOrder: [String]
    public var width = 760.0, height = 520.0

    public init(title: String, yLabel: String, bars: [Bar], groupOrder: [String] = []) {
        self.title = title; self.yLabel = yLabel; self.bars = bars; self.groupOrder = groupOrder
    }

    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                          "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22"]

    /// Every group in legend order.
    var groups: [String] {
        var out = groupOrder.filter { g in bars.contains { $0.segments.contains { $0.group == g } } }
        for bar in bars { for s in bar.segments where !out.contains(s.group) { out.append(s.group) } }
        return out
    }

    public func render() -> String {
        let groups = groups
        let color = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1, Self.palette[$0 % Self.palette.count]) })
        let totals = bars.map { $0.segments.reduce(0) { $0 + $1.value } }
        let yTicks = SVGChart.ticks(0, max(totals.max() ?? 1, 1e-9))
        let titleLines = SVGChart.wrap(title, width: width - 24, size: SVGChart.titleSize, bold: true)
        let top = 24 + Double(titleLines.count) * 20 + 16
        let left = 34 + (yTicks.map { SVGChart.textWidth(SVGChart.label($0), size: SVGChart.fontSize) }.max() ?? 0) + 10
        let legendWidth = (groups.map { SVGChart.textWidth($0, size: SVGChart.fontSize) }.max() ?? 0) + 30
        let right = 20 + legendWidth, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let y1 = max(yTicks.last!, 1e-9)
        func py(_ y: Double) -> Double { top + plotH - y / y1 * plotH }

        var s = SVGChart.opening(width: width, height: height) + SVGChart.titles(titleLines, width: width)
        for t in yTicks {
            s += SVGChart.gridLine(left: left, plotWidth: plotW, y: "\(py(t))", labelY: "\(py(t) + 4)", label: SVGChart.label(t))
        }
        let slot = plotW / Double(max(bars.count, 1)), barW = min(140, slot * 0.6)
        for (i, bar) in bars.enumerated() {
            let x = left + slot * (Double(i) + 0.5) - barW / 2
            var base = 0.0
            s += "<g class=\"bar\" data-name=\"\(SVGChart.escape(bar.name))\">\n"
            for seg in bar.segments where seg.value > 0 {
                let yTop = py(base + seg.value), h = py(base) - yTop
                let tip = "\(seg.group) · \(seg.part): \(SVGChart.valueLabel(seg.value))"
                s += "<rect x=\"\(x)\" y=\"\(yTop)\" width=\"\(barW)\" height=\"\(h)\" fill=\"\(color[seg.group]!)\" stroke=\"white\" stroke-width=\"0.7\"><title>\(SVGChart.escape(tip))</title></rect>\n"
                if h >= 13, !seg.part.isEmpty, SVGChart.textWidth(seg.part, size: 10) < barW - 4 {
                    s += "<text x=\"\(x + barW / 2)\" y=\"\(yTop + h / 2 + 4)\" text-anchor=\"middle\" font-size=\"10\" fill=\"white\">\(SVGChart.escape(seg.part))</text>\n"
                }
                base += seg.value
            }
            s += "<text x=\"\(x + barW / 2)\" y=\"\(py(base) - 6)\" text-anchor=\"middle\">\(SVGChart.valueLabel(base))</text>\n"
            s += "<text x=\"\(x + barW / 2)\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(SVGChart.escape(bar.name))</text>\n"
            s += "</g>\n"
        }
        // Legend top to bottom in stack order reversed, so it reads like the bars.
        for (i, g) in groups.reversed().enumerated() {
            let ly = top + 6 + Double(i) * 20
            s += "<rect x=\"\(left + plotW + 18)\" y=\"\(ly - 9)\" width=\"14\" height=\"12\" fill=\"\(color[g]!)\"/>\n"
            s += "<text x=\"\(left + plotW + 38)\" y=\"\(ly + 2)\">\(SVGChart.escape(g))</text>\n"
        }
        s += SVGChart.axes(left: left, top: top, plotWidth: plotW, plotHeight: plotH)
        s += SVGChart.yAxisLabel(yLabel, top: top, plotHeight: plotH)
        return s + "</svg>\n"
    }
}
