// `bench list`: every preset with its size.
import ArgumentParser
import BenchKit

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the model presets with depth, width, heads, tokens, params and GMACs.")

    func run() throws {
        print(PresetTable.render())
    }
}
