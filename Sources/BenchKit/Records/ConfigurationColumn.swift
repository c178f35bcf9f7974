// One column of the configuration a row measured (RunRecord.configurationColumns lists them): how its value reads
// from a record as text, what an absent cell stands for, how it orders, and how it shows in a configuration's
// description.
import Models

/// A results column that is part of a row's configuration.
public struct ConfigurationColumn: Sendable {
    public let column: Column
    /// The record's value as text (nil where the cell is absent).
    let read: @Sendable (RunRecord) -> String?
    /// What an absent cell stands for in a row of `model` (rows of older files or of the other engine); nil: absent
    /// stays absent.
    let absent: @Sendable (_ model: String?) -> String?
    /// Whether values order as numbers (absent before any) rather than as text.
    let numeric: Bool
    /// The value's text in the description of a row of `model`; nil leaves it out.
    let shown: @Sendable (_ value: String?, _ model: String?) -> String?
    /// What joins the shown value to the part before it in a description.
    let separator: String

    /// The value of `record` in this column, an absent cell read as what it stands for.
    func value(_ record: RunRecord) -> String? { read(record) ?? absent(record.model) }

    /// A text column always shown as it is (the model's name).
    static func name(_ column: Column, _ read: @escaping @Sendable (RunRecord) -> String?) -> ConfigurationColumn {
        ConfigurationColumn(column: column, read: read, absent: { _ in nil }, numeric: false, shown: { v, _ in v },
                            separator: " ")
    }

    /// A text column whose absent cell means `absent`, shown after `prefix` only when it differs from it.
    static func text(_ column: Column, absent: String, prefix: String = "",
                     _ read: @escaping @Sendable (RunRecord) -> String?) -> ConfigurationColumn {
        ConfigurationColumn(column: column, read: read, absent: { _ in absent }, numeric: false,
                            shown: { v, _ in v == absent ? nil : prefix + (v ?? "") }, separator: " ")
    }

    /// A whole-number column shown as `prefix` and its value (`format`ted). An absent cell means `absent` where
    /// given (a setting added to the schema later: older rows had its default), which is then not shown; otherwise
    /// it shows as `unknown`, or not at all when that is nil.
    static func number(_ column: Column, prefix: String, absent: Int? = nil, unknown: String? = nil, separator: String = " ",
                       format: @escaping @Sendable (Int) -> String = { String($0) },
                       _ read: @escaping @Sendable (RunRecord) -> Int?) -> ConfigurationColumn {
        ConfigurationColumn(column: column, read: { read($0).map(String.init) }, absent: { _ in absent.map(String.init) },
                            numeric: true,
                            shown: { v, _ in
                                guard let n = v.flatMap(Int.init) else { return unknown.map { prefix + $0 } }
                                return n == absent ? nil : prefix + format(n)
                            },
                            separator: separator)
    }

    /// A model setting whose column came after rows without it were written (classes, drop_path): an absent cell
    /// stands for the `setting` of the row's preset (what the row measured unless an option changed it; absent
    /// stays absent for a model no preset names), and a value equal to it is not shown; another shows as `prefix`
    /// and the value. Orders as a number.
    static func setting<T: LosslessStringConvertible>(_ column: Column, prefix: String,
                                                      _ setting: @escaping @Sendable (ModelConfiguration) -> T,
                                                      _ read: @escaping @Sendable (RunRecord) -> T?) -> ConfigurationColumn {
        let preset: @Sendable (String?) -> String? = { model in
            Presets.all.first { $0.name == model }.map { setting($0.config).description }
        }
        return ConfigurationColumn(column: column, read: { read($0)?.description }, absent: preset, numeric: true,
                                   shown: { v, model in v.flatMap { $0 == preset(model) ? nil : prefix + $0 } },
                                   separator: " ")
    }

    /// Whether `a` orders before `b` in this column, or nil when they are equal here.
    func precedes(_ a: String?, _ b: String?) -> Bool? {
        if numeric {
            let x = a.flatMap(Double.init) ?? -1, y = b.flatMap(Double.init) ?? -1
            return x == y ? nil : x < y
        }
        return a == b ? nil : (a ?? "") < (b ?? "")
    }
}
