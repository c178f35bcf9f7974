// The live-memory timeline SVG of bench profile: each variant's live bytes above the pre-step level over the step
// (a step line: memory changes only at allocations and frees), x the fraction of the step's time, with dashed
// lines where loss, backward and the optimizer begin. Axis and text helpers are SVGChart's.
import Foundation

/// Live memory over one training step, one line per variant, phase boundaries marked.
public struct ProfileTimelineChart {
    /// One variant: its points (x: progress 0...1, y: MiB above the step's start) and where its phases begin.
    public struct Line {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var boundaries: [(label: String, x: Double)]
        public init(name: String, points: [(x: Double, y: Double)], boundaries: [(label: String, x: Double)]) {
            self.name = name; self.points = points; self.boundaries = boundaries
        }
    }

    public var title: String
    public var lines: [Line]
    public var xLabel = "step progress (% of the step's time)"
    public var yLabel = "MiB above the step's start"
    public var width = 820.0, height = 480.0

    public init(title: String, lines: [Line]) { self.title = title; self.lines = lines }

    public func render() -> String {
        let ys = lines.flatMap { $0.points.map(\.y) }
        let yTicks = SVGChart.ticks(min(ys.min() ?? 0, 0), max(ys.max() ?? 1, 1e-9))
        let titleLines = SVGChart.wrap(title, width: width - 24, size: SVGChart.titleSize, bold: true)
        let top = 24 + Double(titleLines.count) * 20 + 12 + 12 * Double(lines.count)
        let left = 34 + (yTicks.map { SVGChart.textWidth(SVGChart.label($0), size: SVGChart.fontSize) }.max() ?? 0) + 10
        let legendWidth = lines.map { SVGChart.textWidth($0.name, size: SVGChart.fontSize) }.max() ?? 0
        let right = 15 + 31 + legendWidth + 10, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        let y0 = yTicks.first!, y1 = max(yTicks.last!, y0 + 1e-9)
        func px(_ x: Double) -> Double { left + x * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - y0) / (y1 - y0) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var s = SVGChart.opening(width: width, height: height) + SVGChart.titles(titleLines, width: width)
        for t in yTicks {
            s += SVGChart.gridLine(left: left, plotWidth: plotW, y: f(py(t)), labelY: f(py(t) + 4), label: SVGChart.label(t))
        }
        for t in stride(from: 0.0, through: 1.0001, by: 0.1) {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(top + plotH)\" x2=\"\(f(px(t)))\" y2=\"\(top + plotH + 5)\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(px(t)))\" y=\"\(top + plotH + 20)\" text-anchor=\"middle\">\(Int((t * 100).rounded()))</text>\n"
        }
        for (i, line) in lines.enumerated() {
            let color = SVGChart.colors[i % SVGChart.colors.count]
            // A step line: the level holds until the next event.
            var path: [String] = [], last: Double?
            for p in line.points {
                if let last { path.append("\(f(px(p.x))),\(f(py(last)))") }
                path.append("\(f(px(p.x))),\(f(py(p.y)))")
                last = p.y
            }
            s += "<g class=\"series\" data-name=\"\(SVGChart.escape(line.name))\">\n"
            s += "<polyline points=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\"/>\n"
            for b in line.boundaries {
                s += "<line x1=\"\(f(px(b.x)))\" y1=\"\(top)\" x2=\"\(f(px(b.x)))\" y2=\"\(top + plotH)\" stroke=\"\(color)\" stroke-dasharray=\"4 3\" stroke-width=\"1\"/>\n"
                // Each variant's labels on their own row above the plot, so close boundaries stay readable.
                s += "<text x=\"\(f(px(b.x) + 2))\" y=\"\(top - 4 - Double(lines.count - 1 - i) * 12)\" font-size=\"10\" fill=\"\(color)\">\(SVGChart.escape(b.label))</text>\n"
            }
            s += "</g>\n"
            let ly = top + 10 + Double(i) * 22
            s += "<line x1=\"\(left + plotW + 15)\" y1=\"\(ly)\" x2=\"\(left + plotW + 40)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(left + plotW + 46)\" y=\"\(ly + 4)\">\(SVGChart.escape(line.name))</text>\n"
        }
        s += SVGChart.axes(left: left, top: top, plotWidth: plotW, plotHeight: plotH)
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 15)\" text-anchor=\"middle\">\(SVGChart.escape(xLabel))</text>\n"
        s += SVGChart.yAxisLabel(yLabel, top: top, plotHeight: plotH)
        return s + "</svg>\n"
    }
}
