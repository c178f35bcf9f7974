// Comma lists of names: --models.
import BenchKit
import Models

/// "vit_small_patch16_224,mvit_base_16" as names: none empty, none twice.
enum Names: OptionParser {
    static func parse(_ text: String, option: String) throws -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if names.contains("") { throw BenchError("\(option) takes names separated by commas, got an empty one in '\(text)'") }
        try refuseDuplicates(names, text: text, option: option)
        return names
    }

    /// Refuses model names that select the same pair (`vit_small_patch16_224` and `rev_vit_small_patch16_224`
    /// measure the same variants, so the pair would run twice); names that are no preset are left to the presets'
    /// own refusal.
    static func refuseSamePair(_ names: [String], option: String) throws {
        var seen: [String: String] = [:]
        for name in names {
            guard let pair = try? Presets.named(name).pairName else { continue }
            if let first = seen[pair] {
                throw BenchError("\(option) names the pair '\(pair)' twice ('\(first)' and '\(name)' select the same standard, "
                                 + "reversible and checkpointed models); each pair is measured once")
            }
            seen[pair] = name
        }
    }

    /// Refuses a list that names a value twice (each value is measured once).
    static func refuseDuplicates(_ values: [String], text: String, option: String) throws {
        var seen = Set<String>()
        if let twice = values.first(where: { !seen.insert($0).inserted }) {
            throw BenchError("\(option) lists '\(twice)' twice in '\(text)'; each value is measured once")
        }
    }
}
