// A typed option: `--batch 2,8` is a `Parsed<PositiveIntegers>`, `--shard 0/4` a `Parsed<ShardSpec>`. The text is
// kept as typed when the command line is read and parsed in the command's validate(), so that a bad value is
// refused like every other input (one `error:` line naming it, exit 64) rather than with the argument parser's
// usage dump, and the types show in the code and in --help's defaults.
import ArgumentParser

/// An option's text and, once `check(option:)` ran (in the command's validate()), its parsed value.
struct Parsed<Parser: OptionParser>: ExpressibleByArgument, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The text as given (or the default), shown as --help's default.
    let text: String
    private var parsed: Parser.Value?

    init(argument: String) { text = argument }
    init(stringLiteral value: String) { text = value }

    var description: String { text }

    /// Parses the text, naming `option` in the error; called from the command's validate().
    mutating func check(option: String) throws { parsed = try Parser.parse(text, option: option) }

    /// The parsed value. Every command checks its typed options in validate(), which runs before run().
    var value: Parser.Value {
        guard let parsed else { preconditionFailure("option '\(text)' used before its command's validate() checked it") }
        return parsed
    }
}
