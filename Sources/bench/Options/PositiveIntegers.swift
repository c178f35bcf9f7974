// Comma lists of positive integers: --batch, --batches, --depths.
import BenchKit

/// "2,8" as positive integers. A value listed twice is refused: it would measure the same configuration twice.
enum PositiveIntegers: OptionParser {
    static func parse(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = try parts.map { p in
            guard let v = Int(p), v >= 1 else {
                throw BenchError("\(option) takes positive integers separated by commas, got '\(p)' in '\(text)'")
            }
            return v
        }
        try Names.refuseDuplicates(values.map(String.init), text: text, option: option)
        return values
    }
}
