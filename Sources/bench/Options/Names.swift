// Comma lists of names: --models.
import BenchKit

/// "vit_small_patch16_224,mvit_base_16" as names: none empty, none twice.
enum Names: OptionParser {
    static func parse(_ text: String, option: String) throws -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if names.contains("") { throw BenchError("\(option) takes names separated by commas, got an empty one in '\(text)'") }
        try refuseDuplicates(names, text: text, option: option)
        return names
    }

    /// Refuses a list that names a value twice (each value is measured once).
    static func refuseDuplicates(_ values: [String], text: String, option: String) throws {
        var seen = Set<String>()
        if let twice = values.first(where: { !seen.insert($0).inserted }) {
            throw BenchError("\(option) lists '\(twice)' twice in '\(text)'; each value is measured once")
        }
    }
}
