// Comma lists of variants: --variants.
import BenchKit
import Models

/// "standard,reversible" as variants, naming an unknown one in the error.
enum Variants: OptionParser {
    static func parse(_ text: String, option: String) throws -> [Variant] {
        let choices = Variant.allCases.map(\.rawValue).joined(separator: ", ")
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw BenchError("\(option) is empty; choose from \(choices)") }
        try Names.refuseDuplicates(names, text: text, option: option)
        return try names.map { name in
            guard let v = Variant(rawValue: name) else {
                throw BenchError("unknown variant '\(name)' in \(option); choose from \(choices)")
            }
            return v
        }
    }
}
