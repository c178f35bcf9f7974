// One column of the configuration a row measured (RunRecord.configurationColumns lists them): how its value reads
// from a record as text, what an absent cell stands for, how it orders, and how it shows in a configuration's
// description.

/// A results column that is part of a row's configuration.
public struct ConfigurationColumn: Sendable {
    public let column: Column
    /// The record's value as text (nil where the cell is absent).
    let read: @Sendable (RunRecord) -> String?
    /// What an absent cell stands for (rows of older files or of the other engine); nil: absent stays absent.
    let absent: String?
    /// Whether values order as whole numbers (absent before any) rather than as text.
    let numeric: Bool
    /// The value's text in a description; nil leaves it out.
    let shown: @Sendable (String?) -> String?
    /// What joins the shown value to the part before it in a description.
    let separator: String

    /// The value of `record` in this column, an absent cell read as `absent`.
    func value(_ record: RunRecord) -> String? { read(record) ?? absent }

    /// A text column always shown as it is (the model's name).
    static func name(_ column: Column, _ read: @escaping @Sendable (RunRecord) -> String?) -> ConfigurationColumn {
        ConfigurationColumn(column: column, read: read, absent: nil, numeric: false, shown: { $0 }, separator: " ")
    }

    /// A text column whose absent cell means `absent`, shown after `prefix` only when it differs from it.
    static func text(_ column: Column, absent: String, prefix: String = "",
                     _ read: @escaping @Sendable (RunRecord) -> String?) -> ConfigurationColumn {
        ConfigurationColumn(column: column, read: read, absent: absent, numeric: false,
                            shown: { $0 == absent ? nil : prefix + ($0 ?? "") }, separator: " ")
    }

    /// A whole-number column shown as `prefix` and its value (`format`ted). An absent cell means `absent` where
    /// given (a setting added to the schema later: older rows had its default), which is then not shown; otherwise
    /// it shows as `unknown`, or not at all when that is nil.
    static func number(_ column: Column, prefix: String, absent: Int? = nil, unknown: String? = nil, separator: String = " ",
                       format: @escaping @Sendable (Int) -> String = { String($0) },
                       _ read: @escaping @Sendable (RunRecord) -> Int?) -> ConfigurationColumn {
        ConfigurationColumn(column: column, read: { read($0).map(String.init) }, absent: absent.map(String.init), numeric: true,
                            shown: { v in
                                guard let n = v.flatMap(Int.init) else { return unknown.map { prefix + $0 } }
                                return n == absent ? nil : prefix + format(n)
                            },
                            separator: separator)
    }

    /// Whether `a` orders before `b` in this column, or nil when they are equal here.
    func precedes(_ a: String?, _ b: String?) -> Bool? {
        if numeric {
            let x = a.flatMap(Int.init) ?? -1, y = b.flatMap(Int.init) ?? -1
            return x == y ? nil : x < y
        }
        return a == b ? nil : (a ?? "") < (b ?? "")
    }
}
