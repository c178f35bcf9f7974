// A small SVG line-chart renderer: titled axes with units, round-number ticks, one coloured series per variant
// with point markers, and a legend. Enough for RevBench's plots without a plotting dependency.
import Foundation

public struct SVGChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(_ name: String, _ points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
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

    /// Round tick values covering lo...hi (about five).
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let span = max(hi - lo, 1e-12)
        let raw = span / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = floor(lo / step) * step
        var out: [Double] = [t]
        while t < hi - step * 1e-9 { t += step; out.append(t) }  // the last tick is at or above hi
        return out
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        return abs(v) >= 10 ? String(format: "%.0f", v) : String(format: "%.2g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public func render() -> String {
        let left = 80.0, right = 170.0, top = 50.0, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        // Few distinct x values (depths): tick exactly at them; otherwise round ticks.
        let distinctX = Array(Set(xs)).sorted()
        let xTicks = (2...8).contains(distinctX.count) ? distinctX : Self.ticks(xs.min() ?? 0, xs.max() ?? 1)
        let logs = ys.filter { $0 > 0 }.map(log10)
        let yTicks = logY ? Array(Int(floor(logs.min() ?? 0))...max(Int(ceil(logs.max() ?? 1)), Int(floor(logs.min() ?? 0)) + 1)).map(Double.init)
                          : Self.ticks(0, max(ys.max() ?? 1, 1e-9))
        let x0 = xTicks.first!, x1 = max(xTicks.last!, x0 + 1e-9), y1 = max(yTicks.last!, 1e-9)
        let y0 = logY ? yTicks.first! : 0
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        // On a log axis the ticks are decades and the series' values are placed by their logarithm.
        func py(_ y: Double) -> Double { top + plotH - (y - y0) / (y1 - y0) * plotH }
        func value(_ y: Double) -> Double { logY ? log10(max(y, .leastNonzeroMagnitude)) : y }
        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left + plotW / 2)" y="28" text-anchor="middle" font-size="16" font-weight="bold">\(Self.escape(title))</text>

            """
        for t in yTicks {
            s += "<line x1=\"\(left)\" y1=\"\(py(t))\" x2=\"\(left + plotW)\" y2=\"\(py(t))\" stroke=\"#e0e0e0\"/>\n"
            s += "<text x=\"\(left - 8)\" y=\"\(py(t) + 4)\" text-anchor=\"end\">\(logY ? "1e\(Int(t))" : Self.label(t))</text>\n"
        }
        for t in xTicks {
            s += "<line x1=\"\(px(t))\" y1=\"\(top + plotH)\" x2=\"\(px(t))\" y2=\"\(top + plotH + 5)\" stroke=\"black\"/>\n"
            s += "<text x=\"\(px(t))\" y=\"\(top + plotH + 20)\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        s += "<line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotH)\" stroke=\"black\"/>\n"
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 15)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(20 \(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (i, series) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            let pts = series.points.sorted { $0.x < $1.x }
            let path = pts.map { "\(px($0.x)),\(py(value($0.y)))" }.joined(separator: " ")
            s += "<g class=\"series\" data-name=\"\(Self.escape(series.name))\">\n"
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for p in pts {
                s += "<circle cx=\"\(px(p.x))\" cy=\"\(py(value(p.y)))\" r=\"4\" fill=\"\(color)\"><title>\(Self.escape(series.name)): \(Self.label(p.x)), \(String(format: "%.3g", p.y))</title></circle>\n"
            }
            s += "</g>\n"
            let ly = top + 10 + Double(i) * 22
            s += "<line x1=\"\(left + plotW + 15)\" y1=\"\(ly)\" x2=\"\(left + plotW + 40)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(left + plotW + 46)\" y=\"\(ly + 4)\">\(Self.escape(series.name))</text>\n"
        }
        return s + "</svg>\n"
    }
}
