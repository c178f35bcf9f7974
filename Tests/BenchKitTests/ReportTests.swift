// Tables and plots from CSV rows: well-formed SVG with every series, grouped bars for one depth, no clipped text, log
// axes that span the data, blanks (never invented values) for missing measurements, the paper's numbers only where
// the configuration matches, splicing into the results page.
import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import BenchKit
import Models

func row(_ model: String, _ variant: Variant, depth: Int, batch: Int = 2, bytesPerImage: Int? = 1_000_000,
         ips: Double? = 2, maxBatch: Int? = nil, width: Int = 384) -> RunRecord {
    var r = RunRecord(model: model, variant: variant)
    r.depth = depth; r.batch = batch; r.width = width; r.heads = 6; r.imageSize = 224; r.patchSize = 16
    r.params = 22050664; r.gmacsPerImage = 4.6; r.error = ""
    r.bytesPerImage = bytesPerImage
    r.imagesPerSecond = ips
    if let maxBatch { r.maxBatch = maxBatch; r.memoryBudgetBytes = 2 << 30 }
    return r
}

final class ReportTests: XCTestCase {
    func testSVGIsWellFormedAndHasEverySeries() throws {
        let rows = [12, 24, 48].flatMap { d in
            Variant.allCases.map { row("vit_small_patch16_224", $0, depth: d, bytesPerImage: d * 1_000_000) }
        } + [12, 24].flatMap { d in [Variant.standard, .reversible].map { row("vit_small_patch16_224", $0, depth: d, maxBatch: d) } }
        let charts = Plots.charts(rows)
        XCTAssertEqual(Set(charts.map(\.0)), ["memory_vs_depth_vit_small_patch16_224.svg", "throughput_vs_depth_vit_small_patch16_224.svg",
                                              "budget_max_batch_vit_small_patch16_224.svg", "budget_throughput_vit_small_patch16_224.svg"])
        for (name, svg) in charts {
            let parser = XMLParser(data: Data(svg.utf8))
            XCTAssertTrue(parser.parse(), "\(name) is not well-formed XML: \(String(describing: parser.parserError))")
            let expected = name.hasPrefix("budget") ? ["standard", "reversible"] : ["standard", "reversible", "checkpointed"]
            for s in expected { XCTAssertTrue(svg.contains("data-name=\"\(s)\""), "\(name) lacks series \(s)") }
            XCTAssertTrue(svg.contains("depth (blocks)"))
        }
        XCTAssertTrue(charts[0].1.contains("activation memory per image (MiB)"))
    }

    /// Older files hold inf and nan where a speed could not be computed: the charts leave those points out and stay
    /// valid SVG (they drew y="-nan").
    func testPlotsSkipSpeedsThatAreNotFiniteNumbers() throws {
        let rows = [row("vit_tiny_test", .standard, depth: 1, ips: .infinity), row("vit_tiny_test", .standard, depth: 2, ips: .nan),
                    row("vit_tiny_test", .standard, depth: 3, ips: 5),
                    row("vit_tiny_test", .reversible, depth: 1, ips: -.infinity, maxBatch: 1),
                    row("vit_tiny_test", .reversible, depth: 2, ips: 4, maxBatch: 2)]
        for (name, svg) in Plots.charts(rows) {
            XCTAssertFalse(svg.lowercased().contains("nan") || svg.lowercased().contains("inf"), "\(name): \(svg)")
            let parser = XMLParser(data: Data(svg.utf8))
            XCTAssertTrue(parser.parse(), "\(name) is not well-formed XML")
        }
    }

    /// Fused-attention rows and recomputed-transitions rows get charts of their own, never points in the paper's.
    func testModelOptionsGetTheirOwnCharts() {
        var fused = row("vit_small_patch16_224", .standard, depth: 12, bytesPerImage: 5)
        fused.attention = AttentionKind.fused.rawValue
        var recompute = row("mvit_base_16", .reversible, depth: 16, bytesPerImage: 7)
        recompute.transitions = TransitionBackprop.recompute.rawValue
        let rows = [row("vit_small_patch16_224", .standard, depth: 12, bytesPerImage: 9), fused,
                    row("mvit_base_16", .reversible, depth: 16, bytesPerImage: 8), recompute]
        let names = Plots.charts(rows).map(\.0).filter { $0.hasPrefix("memory") }
        XCTAssertEqual(names, ["memory_vs_depth_vit_small_patch16_224.svg", "memory_vs_depth_vit_small_patch16_224_attention_fused.svg",
                               "memory_vs_depth_mvit_base_16.svg", "memory_vs_depth_mvit_base_16_transitions_recompute.svg"])
    }

    /// A configuration measured at one depth (MViT-B) is drawn as grouped bars, one per variant, each labelled with
    /// its value and name and coloured as the variant is in every chart; several depths stay a line chart.
    func testOneDepthIsDrawnAsGroupedBarsWithTheVariantsSideBySide() throws {
        let rows = [(Variant.standard, 155.3), (.reversible, 77.6), (.checkpointed, 32.6)].map { v, mib in
            row("mvit_base_16", v, depth: 16, bytesPerImage: Int(mib * 1_048_576))
        }
        let svg = try XCTUnwrap(Plots.charts(rows).first { $0.0 == "memory_vs_depth_mvit_base_16.svg" }?.1)
        XCTAssertFalse(svg.contains("<polyline"), "no line through a single x")
        let bars = elements("rect", in: svg).filter { $0["fill"] != "white" }
        XCTAssertEqual(bars.count, 3)
        let heights = bars.compactMap { $0["height"].flatMap(Double.init) }
        XCTAssertEqual(heights.count, 3)
        XCTAssertTrue(heights[0] > heights[1] && heights[1] > heights[2], "\(heights)")
        XCTAssertEqual(heights[0] / heights[2], 155.3 / 32.6, accuracy: 0.01, "bars start at zero")
        XCTAssertEqual(bars.map { $0["fill"] }, Variant.allCases.map { Plots.color($0) })
        for text in ["155.3", "77.6", "32.6", ">standard<", ">reversible<", ">checkpointed<", "depth (blocks)"] {
            XCTAssertTrue(svg.contains(text), "bar chart lacks \(text)")
        }
        // Only the reversible twin (recomputed transitions): still red, as reversible is everywhere.
        var recompute = row("mvit_base_16", .reversible, depth: 16, bytesPerImage: 48 << 20)
        recompute.transitions = TransitionBackprop.recompute.rawValue
        let single = try XCTUnwrap(Plots.charts([recompute]).first { $0.0.hasPrefix("memory") }?.1)
        XCTAssertEqual(elements("rect", in: single).filter { $0["fill"] != "white" }.map { $0["fill"] }, [Plots.color(.reversible)])
        let lines = Plots.charts([12, 24].map { row("vit_small_patch16_224", .standard, depth: $0) })
        XCTAssertTrue(lines.allSatisfy { $0.1.contains("<polyline") })
    }

    /// Every text (title, tick labels, axis labels, legend) lies inside the picture: a title too long for one line
    /// is wrapped, and the margins make room for the longest tick label and legend entry.
    func testTitlesAndLabelsAreNeverClipped() {
        let long = SVGChart(title: "vit_small_patch16_224: reconstruction error per block (last measured step), a title longer than the chart",
                            xLabel: "block index", yLabel: "max |X_rec - X| / RMS(X)",
                            series: [SVGChart.Series("depth 96, step 300 with a long legend entry", [(0, 3e-5), (95, 2e-7)])],
                            logY: true)
        let wide = SVGChart(title: "t", xLabel: "depth (blocks)", yLabel: "images per second",
                            series: [SVGChart.Series("standard", [(12, 123456.5), (24, 0.5)])])
        for chart in [long, wide] {
            let svg = chart.render()
            XCTAssertGreaterThan(elements("text", in: svg).count, 5)
            for text in elements("text", in: svg) where text["transform"] == nil {
                let x = Double(text["x"]!)!, content = text["content"]!
                let w = SVGChart.textWidth(content, size: Double(text["font-size"] ?? "12")!, bold: text["font-weight"] == "bold")
                let (lo, hi) = switch text["text-anchor"] {
                case "middle": (x - w / 2, x + w / 2)
                case "end": (x - w, x)
                default: (x, x + w)
                }
                XCTAssertGreaterThanOrEqual(lo, 0, "'\(content)' starts left of the picture")
                XCTAssertLessThanOrEqual(hi, chart.width, "'\(content)' runs past the right edge")
            }
        }
        XCTAssertGreaterThan(elements("text", in: long.render()).filter { $0["font-weight"] == "bold" }.count, 1, "the title wraps")
    }

    /// A log axis spans the data's decades and no more: its top gridline is the plot's top edge, and the largest
    /// value lies within one decade of it (it once ran up to 1e0 over errors of 1e-6).
    func testALogAxisSpansTheData() throws {
        XCTAssertEqual(SVGChart.decades([5.5e-8, 1.06e-6]), [-8, -7, -6, -5])
        XCTAssertEqual(SVGChart.decades([1e-7, 1e-6]), [-7, -6])
        XCTAssertEqual(SVGChart.decades([2e-7, 3e-7]), [-7, -6])
        let svg = SVGChart(title: "gradients", xLabel: "training step", yLabel: "relative error",
                           series: [SVGChart.Series("depth 96", [(0, 1.06e-6), (100, 7.6e-8), (200, 5.5e-8)])], logY: true).render()
        let labels = elements("text", in: svg).compactMap { $0["content"] }.filter { $0.hasPrefix("1e") }
        XCTAssertEqual(labels, ["1e-8", "1e-7", "1e-6", "1e-5"])
        let gridlines = elements("line", in: svg).filter { $0["stroke"] == "#e0e0e0" }.compactMap { $0["y1"].flatMap(Double.init) }
        // The y axis: the longest vertical line.
        let verticals = elements("line", in: svg).filter { $0["x1"] == $0["x2"] }
            .compactMap { l -> (Double, Double)? in l["y1"].flatMap(Double.init).flatMap { a in l["y2"].flatMap(Double.init).map { (a, $0) } } }
        let (top, bottom) = try XCTUnwrap(verticals.max { $0.1 - $0.0 < $1.1 - $1.0 })
        XCTAssertEqual(gridlines.min()!, top, accuracy: 1e-6, "the top decade is the plot's top")
        XCTAssertEqual(gridlines.max()!, bottom, accuracy: 1e-6, "the bottom decade is the plot's bottom")
        let highest = try XCTUnwrap(elements("circle", in: svg).compactMap { $0["cy"].flatMap(Double.init) }.min())
        XCTAssertLessThan(highest - top, (bottom - top) / 3, "1.06e-6 sits in the top decade's band below 1e-5")
    }

    func testMissingMeasurementsAreBlankAndPaperValuesOnlyWhereMatching() {
        let rows = [row("vit_small_patch16_224", .standard, depth: 12, bytesPerImage: 72 << 20),
                    row("vit_small_patch16_224", .reversible, depth: 12, bytesPerImage: 7 << 20, ips: nil),
                    row("vit_small_patch16_224", .standard, depth: 24, bytesPerImage: 144 << 20)]
        let table = MarkdownReport.render(rows)
        // The memory table (its header, rule and two rows), before the table of where the rows were measured.
        let lines = Array(table.split(separator: "\n").map(String.init).prefix { !$0.hasPrefix("Where the rows") })
        XCTAssertEqual(lines.count, 4)
        let d12 = lines[2].split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(d12[6], "72.0"); XCTAssertEqual(d12[7], "7.0"); XCTAssertEqual(d12[8], "", "no checkpointed row")
        XCTAssertEqual(d12[9], "10.29x")
        XCTAssertEqual(d12[10], "66.5 / 8.8 (7.6x)", "paper Table 1 at the preset's depth")
        XCTAssertEqual(d12[12], "", "reversible has no images/s")
        XCTAssertEqual(d12[14], "", "no ratio without both speeds")
        let d24 = lines[3].split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(d24[10], "", "the paper has no depth-24 ViT-S")
        XCTAssertEqual(d24[7], "")
    }

    /// The results page's tables are generated, and current: splicing the committed CSVs' tables into
    /// docs/results.md changes nothing (run `swift run bench table --markdown docs/results.md` after a new run).
    func testTheResultsPageHoldsTheCommittedCSVsTables() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent(MarkdownReport.resultsPage), encoding: .utf8)
        let files = try ["results", "results/budget"].flatMap { dir in
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)
                .filter { $0.hasSuffix(".csv") }.sorted().map { root.appendingPathComponent(dir).appendingPathComponent($0).path }
        }
        let table = MarkdownReport.render(try files.flatMap { try ResultsFile.read($0) })
        let command = "swift run bench table --markdown \(MarkdownReport.resultsPage)"
        XCTAssertEqual(try MarkdownReport.splice(table, into: page, command: command), page, "run: \(command)")
    }

    /// The results page's prose named one Zen 4 host, SkylakeX kernels and commits that were not the MViT rows'
    /// (rows: family 25 model 1, Zen kernels, 5f85acb...). The generated part now says where the rows were measured,
    /// from their own columns, one line per commit, CPU, BLAS, threads and build.
    func testTheTablesSayWhereTheirRowsWereMeasured() {
        var a = row("vit_small_patch16_224", .standard, depth: 12), b = row("mvit_base_16", .standard, depth: 16)
        a.gitSHA = "aaaaaaaaaaaa"; a.cpu = "CPU A (family 25 model 17 stepping 1)"; a.blas = "OpenBLAS 0.3.21 SkylakeX"
        a.threads = 2; a.build = "release"
        b.gitSHA = "bbbbbbbbbbbb"; b.cpu = "CPU B (family 25 model 1 stepping 1)"; b.blas = "OpenBLAS 0.3.21 Zen"
        b.threads = 2; b.build = "release"
        var a2 = a; a2.variant = .reversible
        let page = MarkdownReport.render([a, a2, b])
        XCTAssertTrue(page.contains("| aaaaaaaaaaaa | CPU A (family 25 model 17 stepping 1) | OpenBLAS 0.3.21 SkylakeX | 2 | release | vit_small_patch16_224: 2 |"), page)
        XCTAssertTrue(page.contains("| bbbbbbbbbbbb | CPU B (family 25 model 1 stepping 1) | OpenBLAS 0.3.21 Zen | 2 | release | mvit_base_16: 1 |"), page)
    }

    func testSpliceReplacesOnlyBetweenMarkers() throws {
        let doc = "intro\n<!-- BEGIN bench table -->\nold\n<!-- END bench table -->\noutro\n"
        let out = try MarkdownReport.splice("| new |", into: doc, command: "swift run bench table")
        XCTAssertTrue(out.hasPrefix("intro\n<!-- BEGIN bench table -->\n<!-- generated by: swift run bench table -->\n| new |\n<!-- END bench table -->"))
        XCTAssertTrue(out.hasSuffix("outro\n"))
        XCTAssertThrowsError(try MarkdownReport.splice("x", into: "no markers", command: "", name: "'page.md'")) { e in
            XCTAssertTrue("\(e)".hasPrefix("'page.md' has no"), "\(e)")
        }
        let twice = doc + "<!-- BEGIN bench table -->\n<!-- END bench table -->\n"
        XCTAssertThrowsError(try MarkdownReport.splice("x", into: twice, command: "")) { e in
            XCTAssertTrue("\(e)".contains("has 2 '<!-- BEGIN bench table -->'"), "\(e)")
        }
    }

    /// bench table --markdown writes through a symbolic link (the link stays) and names a file it cannot read.
    func testMarkdownIsWrittenThroughALinkAndAnUnreadableFileIsNamed() throws {
        let folder = temporaryFolder("markdown")
        let page = folder + "/page.md", link = folder + "/link.md"
        try "x\n<!-- BEGIN bench table -->\n<!-- END bench table -->\n".write(toFile: page, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: page)
        let ci = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/baseline/ci.csv").path
        let r = try BenchProcess.run(["table", ci, "--markdown", link])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), page)
        XCTAssertTrue(try String(contentsOfFile: page, encoding: .utf8).contains("| "), "the table went to the link's target")
        try BenchProcess.run(["table", ci, "--markdown", folder + "/missing.md"])
            .assertRefused(["cannot read '\(folder)/missing.md': "], "missing markdown")
        // A named pipe is refused, not read (which would block).
        let pipe = folder + "/pipe.md"
        XCTAssertEqual(mkfifo(pipe, 0o644), 0)
        try BenchProcess.run(["table", ci, "--markdown", pipe]).assertRefused(["is not a regular file"], "fifo")
        // A header-only file has no table: refused in words, the page untouched.
        let empty = folder + "/empty.csv"
        try String(try String(contentsOfFile: ci, encoding: .utf8).prefix { $0 != "\n" } + "\n").write(toFile: empty, atomically: true, encoding: .utf8)
        let before = try String(contentsOfFile: page, encoding: .utf8)
        try BenchProcess.run(["table", empty, "--markdown", page]).assertRefused(["no rows to tabulate in '\(empty)'"], "header only")
        XCTAssertEqual(try String(contentsOfFile: page, encoding: .utf8), before)
    }

    func testBudgetByteSizes() throws {
        XCTAssertEqual(try BudgetExperiment.parseBytes("16GiB"), 16 << 30)
        XCTAssertEqual(try BudgetExperiment.parseBytes("512MiB"), 512 << 20)
        XCTAssertEqual(try BudgetExperiment.parseBytes("2 GiB"), 2 << 30)
        XCTAssertThrowsError(try BudgetExperiment.parseBytes("lots"))
        XCTAssertThrowsError(try BudgetExperiment.parseBytes("-1GiB"))
    }

    /// The budget table marks a speed measured under contention with `*` and says why, as the comparison table does.
    func testBudgetTableMarksUnreliableSpeeds() {
        var contended = row("vit_tiny_test", .reversible, depth: 2, ips: 6596.31, maxBatch: 40)
        contended.cpuUtilization = 0.82
        contended.threads = 2
        let calm = row("vit_tiny_test", .standard, depth: 2, ips: 6273.69, maxBatch: 20)
        let table = BudgetTable.render([calm, contended])
        XCTAssertTrue(table.contains("6596.310 *"), table)
        XCTAssertFalse(table.contains("6273.690 *"), table)
        XCTAssertTrue(table.hasSuffix(Rounds.unreliableSpeedNote), table)
        XCTAssertFalse(BudgetTable.render([calm]).contains("*"))
    }

    func testBudgetMaxBatchIsTheLargestThatFits() throws {
        let c = try Models.Presets.named("vit_small_patch16_224").config
        let budget = 2 << 30
        let b = BudgetExperiment.predictedMaxBatch(c, variant: .standard, parameterCount: 22_050_664, budget: budget, workers: 2)
        XCTAssertGreaterThan(b, 0)
        XCTAssertLessThanOrEqual(Models.MemoryModel.predict(c, variant: .standard, batch: b, parameterCount: 22_050_664, workers: 2).peakBytes, budget)
        XCTAssertGreaterThan(Models.MemoryModel.predict(c, variant: .standard, batch: b + 1, parameterCount: 22_050_664, workers: 2).peakBytes, budget)
        XCTAssertEqual(BudgetExperiment.predictedMaxBatch(c, variant: .standard, parameterCount: 22_050_664, budget: 100 << 20, workers: 2), 0)
    }
}

/// The attributes of every `<name ...>` element of an SVG, with its text content (up to the next tag) as "content".
func elements(_ name: String, in svg: String) -> [[String: String]] {
    var out: [[String: String]] = []
    var rest = svg[...]
    while let start = rest.range(of: "<" + name + " ") {
        guard let close = rest[start.upperBound...].firstIndex(of: ">") else { break }
        var attributes: [String: String] = [:]
        let body = rest[start.upperBound..<close]
        var scan = body[...]
        while let eq = scan.range(of: "=\""), let endQuote = scan[eq.upperBound...].firstIndex(of: "\"") {
            let key = scan[..<eq.lowerBound].split(separator: " ").last.map(String.init) ?? ""
            attributes[key] = String(scan[eq.upperBound..<endQuote])
            scan = scan[scan.index(after: endQuote)...]
        }
        let after = rest[rest.index(after: close)...]
        attributes["content"] = String(after.prefix { $0 != "<" })
        out.append(attributes)
        rest = after
    }
    return out
}
