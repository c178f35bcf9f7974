// How a typed option's text becomes its value: one parser per kind of value (comma lists, shards, byte sizes).

/// Parses an option's text, throwing a `BenchError` that names the option and the bad value.
protocol OptionParser {
    associatedtype Value
    /// The value of `text` given to `option` (e.g. "--batch"), or a one-line error naming both.
    static func parse(_ text: String, option: String) throws -> Value
}
