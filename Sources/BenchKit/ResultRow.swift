// One CSV row: a measured configuration of one variant, with its environment. The column list is the schema
// documented in results/README.md.
import Foundation

/// Column values by name; `CSVSchema.columns` fixes their order.
public struct ResultRow: Sendable, Equatable {
    public var fields: [String: String]
    public init(_ fields: [String: String] = [:]) { self.fields = fields }

    public subscript(_ column: String) -> String? {
        get { fields[column] }
        set { fields[column] = newValue }
    }

    /// A numeric column, or nil when empty or not a number.
    public func double(_ column: String) -> Double? { fields[column].flatMap { Double($0) } }
    public func int(_ column: String) -> Int? { fields[column].flatMap { Int($0) } }
    public var failed: Bool { !(fields["error"] ?? "").isEmpty }
}

public enum CSVSchema {
    /// Every column, in file order.
    public static let columns = [
        "timestamp", "git_sha", "model", "variant", "depth", "width", "heads", "image_size", "patch_size", "tokens",
        "batch", "threads", "params", "gmacs_per_image", "warmup", "steps", "step_s_median", "step_s_min",
        "step_s_max", "images_per_s", "gflops_per_s", "baseline_bytes", "peak_ledger_bytes",
        "peak_ledger_activation_bytes", "peak_jemalloc_bytes", "peak_rss_bytes", "resident_growth_bytes", "step_ledger_bytes",
        "step_ledger_allocated_bytes", "step_jemalloc_bytes", "bytes_per_image", "predicted_peak_bytes", "max_batch", "memory_budget_bytes",
        "loss_first", "loss_last", "build", "cpu", "cores", "blas", "jemalloc_version", "swift_version", "error",
    ]

    public static var header: String { columns.joined(separator: ",") }

    /// The row as one CSV line (no newline), quoting fields that need it.
    public static func line(_ row: ResultRow) -> String {
        columns.map { quote(row[$0] ?? "") }.joined(separator: ",")
    }

    static func quote(_ s: String) -> String {
        let clean = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        guard clean.contains(",") || clean.contains("\"") else { return clean }
        return "\"" + clean.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits one CSV line into fields (RFC 4180 quoting).
    public static func split(_ line: Substring) -> [String] {
        var fields: [String] = [], cur = "", quoted = false
        var it = line.makeIterator()
        while let ch = it.next() {
            if quoted {
                if ch == "\"" {
                    if let next = it.next() {
                        if next == "\"" { cur.append("\"") } else { quoted = false; if next == "," { fields.append(cur); cur = "" } else { cur.append(next) } }
                    } else { quoted = false }
                } else { cur.append(ch) }
            } else if ch == "\"" { quoted = true }
            else if ch == "," { fields.append(cur); cur = "" }
            else { cur.append(ch) }
        }
        fields.append(cur)
        return fields
    }
}
