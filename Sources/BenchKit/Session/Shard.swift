// Splitting a sweep over machines: `--shard i/N` runs a deterministic share of the configurations, balanced by their
// predicted work (the ETA's MACs x batch x passes x steps), so any scheduler that hands out an index and a count (a CI
// matrix, a Slurm job array, a Kubernetes indexed Job) spreads one sweep over N machines; `bench merge` joins the rows.
import Foundation

/// Shard i of N (0-based i).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The most shards a sweep splits into (the split keeps one load figure per shard).
    public static let largestCount = 100_000

    /// Parses "i/N" with 0 <= i < N <= `largestCount`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], (1...Self.largestCount).contains(n), (0..<n).contains(i) else {
            throw BenchError("--shard takes i/N with 0 <= i < N <= \(Self.largestCount) (e.g. 0/4 ... 3/4), got '\(text)'")
        }
        index = i; count = n
    }

    public init(index: Int, count: Int) { self.index = index; self.count = count }

    public var description: String { "\(index)/\(count)" }

    /// The shard of each item, given the items' predicted work: largest first, each to the shard with the least
    /// work so far (ties to the lowest index), so every machine computes the same split.
    public static func assignment(works: [Double], count: Int) -> [Int] {
        var load = Array(repeating: 0.0, count: count)
        var shardOf = Array(repeating: 0, count: works.count)
        let order = works.indices.sorted { works[$0] != works[$1] ? works[$0] > works[$1] : $0 < $1 }
        for i in order {
            let s = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            shardOf[i] = s
            load[s] += works[i]
        }
        return shardOf
    }

    /// The items of this shard, in their original order.
    public func select<T>(_ items: [T], works: [Double]) -> [T] {
        let shardOf = Self.assignment(works: works, count: count)
        return items.indices.filter { shardOf[$0] == index }.map { items[$0] }
    }
}
