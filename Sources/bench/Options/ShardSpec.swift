// --shard i/N.
import BenchKit

/// "i/N" as a `Shard` (its own parser names the option and the range).
enum ShardSpec: OptionParser {
    static func parse(_ text: String, option: String) throws -> Shard { try Shard(parsing: text) }
}
