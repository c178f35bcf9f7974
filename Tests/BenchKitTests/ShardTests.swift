// Shards: for N = 2...4 their union is the unsharded configuration set, they are disjoint, and their predicted work
// is within 25% of each other; bad --shard values are one clear error; two shards run and merged cover a sweep once.
import XCTest
import Foundation
import Models
@testable import BenchKit

final class ShardTests: XCTestCase {
    /// A sweep of 12 configurations (2 depths x 6 batch sizes), 3 variants each.
    let requests: [RunRequest] = [12, 24].flatMap { d in
        [2, 4, 6, 8, 10, 12].flatMap { b in
            Variant.allCases.map { v in
                RunRequest(try! Presets.configuration("vit_small_patch16_224") { $0.depth = d }, variant: v, batch: b, threads: 1)
            }
        }
    }

    func testShardsPartitionTheSweepWithBalancedWork() throws {
        let groups = BenchSession.configurationGroups(requests)
        XCTAssertEqual(groups.count, 12)
        let works = try groups.map { try $0.map { try $0.predictedWork() }.reduce(0, +) }
        for n in 2...4 {
            var seen: [String] = []
            var loads: [Double] = []
            for i in 0..<n {
                let mine = Shard(index: i, count: n).select(Array(zip(groups, works)), works: works)
                seen += mine.flatMap { $0.0.map { "\(RunRecord(request: $0).configuration) \($0.variant)" } }
                loads.append(mine.map(\.1).reduce(0, +))
            }
            XCTAssertEqual(seen.count, requests.count, "N=\(n): disjoint")
            XCTAssertEqual(Set(seen), Set(requests.map { "\(RunRecord(request: $0).configuration) \($0.variant)" }), "N=\(n): union")
            XCTAssertLessThanOrEqual(loads.max()! / loads.min()!, 1.25, "N=\(n): loads \(loads)")
        }
        // The same inputs give the same split on every machine.
        XCTAssertEqual(Shard.assignment(works: works, count: 3), Shard.assignment(works: works, count: 3))
    }

    func testShardParsing() throws {
        XCTAssertEqual(try Shard(parsing: "2/4"), Shard(index: 2, count: 4))
        for bad in ["4/4", "-1/2", "1", "a/b", "1/0"] {
            XCTAssertThrowsError(try Shard(parsing: bad)) { e in XCTAssertTrue("\(e)".contains("'\(bad)'"), "\(e)") }
        }
    }

    func testTwoShardsMergedCoverTheSweepOnce() throws {
        let dir = NSTemporaryDirectory() + "revbench-shards-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: benchExecutablePath)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "\(args)")
        }
        for i in 0..<2 {
            try run(["sweep", "--models", "vit_tiny_test", "--depths", "2,4", "--batches", "2,4", "--steps", "1", "--warmup", "0",
                     "--threads", "1", "--rounds", "1", "--shard", "\(i)/2", "--output", dir + "/shard\(i).csv", "--quiet"])
        }
        try run(["merge", "-o", dir + "/all.csv", dir + "/shard0.csv", dir + "/shard1.csv"])
        let rows = try ResultsFile.read(dir + "/all.csv")
        let keys = rows.map { "\($0.configuration) \($0.variant)" }
        XCTAssertEqual(keys.count, 12)
        XCTAssertEqual(Set(keys).count, 12)
        XCTAssertGreaterThan(try ResultsFile.read(dir + "/shard0.csv").count, 0)
        XCTAssertGreaterThan(try ResultsFile.read(dir + "/shard1.csv").count, 0)
    }
}
