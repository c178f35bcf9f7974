// The configuration a row measured, without its variant: what rows are grouped, compared and keyed by. Its values,
// description and order come from the record's configuration columns (RunRecord.configurationColumns), so a
// column added there is part of it with nothing written here.
import Models

/// The configuration a row measured: rows with equal configurations and different variants are one comparison.
public struct RunConfiguration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The device, engine and precision of the Swift engine's rows.
    public static let cpu = "cpu", revbench = "revbench", fp32 = "fp32"

    /// Each configuration column's value as text, an absent cell at its column's default; missing where none.
    private var values: [Column: String] = [:]

    private static let columns = Dictionary(uniqueKeysWithValues: RunRecord.configurationColumns.map { ($0.column, $0) })

    /// The configuration `record` measured: its value in each configuration column.
    init(_ record: RunRecord) {
        for c in RunRecord.configurationColumns { values[c.column] = c.value(record) }
    }

    /// The value of a configuration column (an absent cell reads as the column's default); nil where there is none.
    public subscript(column: Column) -> String? { values[column] }

    /// The same configuration with no value in `column` (e.g. at any batch).
    public func without(_ column: Column) -> RunConfiguration { var c = self; c.values[column] = nil; return c }

    /// Who measured where, when it is not the Swift engine on the CPU in fp32: e.g. "pytorch 2.11.0, NVIDIA H100, tf32".
    public var engineLabel: String {
        var parts: [String] = []
        if self[.engine] != Self.revbench { parts.append(self[.engine] ?? "") }
        if self[.device] != Self.cpu || !parts.isEmpty { parts.append(self[.device] ?? "") }
        if self[.precision] != Self.fp32 { parts.append(self[.precision] ?? "") }
        return parts.joined(separator: ", ")
    }

    /// The model's name with the engine label and non-default transitions, attention, classes or drop-path rate in
    /// parentheses.
    public var modelLabel: String {
        let options = [Column.transitions, .attention, .classes, .dropPath].map { shown($0) ?? "" }
        let notes = ([engineLabel] + options).filter { !$0.isEmpty }
        let model = self[.model] ?? ""
        return notes.isEmpty ? model : "\(model) (\(notes.joined(separator: ", ")))"
    }

    /// The same configuration with stored transitions: where the standard and checkpointed twins of a
    /// transitions-recompute run are measured (they have no stage transitions to recompute).
    public var withStoredTransitions: RunConfiguration {
        var c = self; c.values[.transitions] = TransitionBackprop.store.rawValue; return c
    }

    /// The same configuration at any depth (reversible memory must not depend on it).
    public var ignoringDepth: RunConfiguration { without(.depth) }

    /// A column's value as a description shows it; nil where it is not shown.
    private func shown(_ column: Column) -> String? { Self.columns[column]?.shown(values[column], values[.model]) }

    /// The shown values in column order, e.g. "vit_small_patch16_224 d12 w384 h6 img224/p16 b32".
    public var description: String {
        var text = ""
        for c in RunRecord.configurationColumns {
            guard let shown = shown(c.column) else { continue }
            text += (text.isEmpty ? "" : c.separator) + shown
        }
        return text
    }

    /// Column by column in `RunRecord.configurationOrder`.
    public static func < (a: RunConfiguration, b: RunConfiguration) -> Bool {
        for column in RunRecord.configurationOrder {
            if let before = columns[column]?.precedes(a[column], b[column]) { return before }
        }
        return false
    }
}
