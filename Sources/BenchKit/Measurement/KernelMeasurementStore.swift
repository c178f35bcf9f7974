// Where `bench calibrate` keeps its kernel-set measurement so that `bench run`'s note can quote it: one JSON file,
// $XDG_CACHE_HOME/revbench/blas-kernels.json (~/.cache/revbench/blas-kernels.json when XDG_CACHE_HOME is unset),
// one entry per CPU (model name, family, model, stepping), OpenBLAS version, thread count and pair of kernel sets,
// the newest measurement replacing the one before. A cache, not a result: deleting it only drops the figure from
// the note. An unreadable file reads as empty.
import Foundation

/// One measured pair of kernel sets on one machine.
public struct KernelMeasurement: Sendable, Codable, Equatable {
    /// `EnvironmentInfo.cpu` of the machine (names family, model and stepping).
    public var cpu: String
    public var openBLAS: String
    public var threads: Int
    /// The kernel set in force (`openblas_get_corename()`) and the candidate.
    public var from: String, to: String
    /// SGEMM GFLOP/s of each on the reference shape (`KernelProbe.shapes[0]`).
    public var fromGFLOPs: Double, toGFLOPs: Double
    /// Whether the candidate passed the accuracy check.
    public var checked: Bool
    /// UTC date of the measurement, yyyy-MM-dd.
    public var date: String

    public var factor: Double { toGFLOPs / fromGFLOPs }

    /// The measurement a comparison made (nil when calibrate compared a set with itself).
    public init(_ c: KernelComparison, cpu: String, openBLAS: String, date: String) {
        self.cpu = cpu; self.openBLAS = openBLAS; threads = c.inForce.threads
        from = c.inForce.coreName; to = c.candidate.coreName
        fromGFLOPs = c.inForce.referenceGFLOPs; toGFLOPs = c.candidate.referenceGFLOPs
        checked = c.candidate.checkPassed; self.date = date
    }

    func sameKey(_ o: KernelMeasurement) -> Bool {
        cpu == o.cpu && openBLAS == o.openBLAS && threads == o.threads
            && BLASKernels.same(from, o.from) && BLASKernels.same(to, o.to)
    }
}

/// The JSON file of kernel measurements.
public struct KernelMeasurementStore: Sendable {
    public var url: URL

    public init(url: URL = KernelMeasurementStore.defaultURL()) { self.url = url }

    /// $XDG_CACHE_HOME/revbench/blas-kernels.json, else ~/.cache/revbench/blas-kernels.json.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("revbench").appendingPathComponent("blas-kernels.json")
    }

    public func load() -> [KernelMeasurement] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode([KernelMeasurement].self, from: data)) ?? []
    }

    /// Adds `m`, replacing an entry with the same machine, library, threads and pair; written by one rename.
    public func record(_ m: KernelMeasurement) throws {
        let entries = load().filter { !$0.sameKey(m) } + [m]
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(entries).write(to: url, options: .atomic)
    }

    /// The newest measurement from kernel set `from` on this machine and library, preferring `threads`.
    public func lookup(cpu: String, openBLAS: String, from: String, threads: Int) -> KernelMeasurement? {
        let matching = load().filter { $0.cpu == cpu && $0.openBLAS == openBLAS && BLASKernels.same($0.from, from) }
        return matching.last { $0.threads == threads } ?? matching.last
    }
}
