// jemalloc, linked into the process, read through mallctl: bytes allocated and the calling thread's peak.
import CJemalloc
import JemallocConfig

/// Reads jemalloc's statistics. Every malloc of the process (Swift runtime included) goes through jemalloc
/// because the executable links it.
public enum Jemalloc {
    /// True when mallctl answers (jemalloc is the process allocator).
    public static var isActive: Bool { version != nil }

    /// jemalloc's version string, e.g. "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c".
    public static var version: String? {
        var ptr: UnsafePointer<CChar>? = nil
        var len = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &ptr, &len, nil, 0) == 0, let ptr else { return nil }
        return String(cString: ptr)
    }

    /// Bytes currently allocated by the application, after refreshing the statistics epoch.
    public static func allocatedBytes() -> Int? { readFreshStat("stats.allocated") }

    /// Bytes of physical memory jemalloc holds (`stats.resident`: pages it touched and has not returned, its
    /// metadata included), after refreshing the statistics epoch.
    public static func residentBytes() -> Int? { readFreshStat("stats.resident") }

    /// Resets the calling thread's allocation high-water mark to its current net allocation.
    @discardableResult
    public static func resetThreadPeak() -> Bool {
        mallctl("thread.peak.reset", nil, nil, nil, 0) == 0
    }

    /// The calling thread's high-water mark of (allocated - deallocated) bytes since the last reset.
    public static func threadPeakBytes() -> Int? {
        var value: UInt64 = 0
        var len = MemoryLayout<UInt64>.size
        guard mallctl("thread.peak.read", &value, &len, nil, 0) == 0 else { return nil }
        return Int(value)
    }

    /// The options RevBench compiles in (`malloc_conf`): no page purging, free splitting of free extents
    /// (see JemallocConfig/config.c).
    public static var compiledOptions: String { String(cString: revbench_malloc_conf()) }

    /// jemalloc's oversize threshold in bytes as in force (0: no dedicated arena for large requests).
    public static var oversizeThreshold: Int? { readSize("opt.oversize_threshold") }

    /// Reads a `stats.*` value after advancing the epoch (jemalloc caches its statistics until then).
    private static func readFreshStat(_ name: String) -> Int? {
        var newEpoch: UInt64 = 1
        guard mallctl("epoch", nil, nil, &newEpoch, MemoryLayout<UInt64>.size) == 0 else { return nil }
        return readSize(name)
    }

    private static func readSize(_ name: String) -> Int? {
        var value: Int = 0
        var len = MemoryLayout<Int>.size
        guard mallctl(name, &value, &len, nil, 0) == 0 else { return nil }
        return value
    }
}
