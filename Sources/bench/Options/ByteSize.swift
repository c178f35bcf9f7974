// Byte sizes: --memory 16GiB.
import BenchKit

/// "16GiB", "2 GiB", "512MiB", "1000000000" as bytes, between 1 MiB and 1024 TiB (see `BudgetExperiment.parseBytes`).
enum ByteSize: OptionParser {
    static func parse(_ text: String, option: String) throws -> Int { try BudgetExperiment.parseBytes(text) }
}
