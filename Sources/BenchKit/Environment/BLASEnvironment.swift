// OpenBLAS settings chosen before OpenBLAS loads. Debian's OpenBLAS 0.3.21 picks its Haswell (AVX2) kernels on
// CPUs it does not know (recent AMD EPYCs) even when they have AVX-512; OPENBLAS_CORETYPE=SkylakeX selects the
// AVX-512 kernels (measured on one host: SGEMM 1576x384x1152 at 124 -> 241 GFLOP/s on one thread; on a Zen 4,
// whose AVX-512 units are 256 bits wide, both kernel sets ran at 104). Its idle worker
// threads spin for 2^28 cycles after each call, competing with the engine's elementwise workers on the same cores;
// OPENBLAS_THREAD_TIMEOUT=4 makes them sleep at once (ViT-S step 9.3 -> 10.2 images/s). Both are read only when the
// library loads, so bench sets them and re-executes itself once. A value already in the environment is never
// replaced (some machine images set OPENBLAS_CORETYPE=Haswell); bench then prints `advice` instead.
import Foundation
import Engine
#if canImport(Glibc)
import Glibc
#endif

public enum BLASEnvironment {
    /// Marks a process that already went through `reexecIfNeeded`.
    static let marker = "REVBENCH_BLAS_ENVIRONMENT"

    /// The settings RevBench wants on this machine that the environment does not already set.
    public static func missingSettings(environment: [String: String] = ProcessInfo.processInfo.environment,
                                       cpuFlags: Set<String> = cpuFlags()) -> [String: String] {
        var wanted: [String: String] = ["OPENBLAS_THREAD_TIMEOUT": "4"]
        if cpuFlags.isSuperset(of: BLASKernels.avx512Flags) {  // SkylakeX also on BF16 CPUs: the SGEMM is the same
            wanted["OPENBLAS_CORETYPE"] = "SkylakeX"
        }
        return wanted.filter { environment[$0.key] == nil }
    }

    /// A note when the kernels in force are slower than the best set this CPU supports, or nil. With a measurement
    /// by `bench calibrate` (`KernelMeasurementStore`) of the set in force against that best set, the note quotes it,
    /// and a measured gain below `BLASKernels.worthwhileGain` (or a failed accuracy check) gives no note. Without
    /// one, only a set below AVX-512 forced on an AVX-512 CPU gives a note (up to 2x, measured on some hosts).
    public static func advice(environment: [String: String] = ProcessInfo.processInfo.environment,
                              cpuFlags: Set<String> = cpuFlags(), vendor: String? = cpuVendor(),
                              coreName: String = BLAS.coreName,
                              measured: KernelMeasurement? = storedMeasurement()) -> String? {
        guard let best = BLASKernels.best(cpuFlags: cpuFlags, vendor: vendor), !BLASKernels.same(coreName, best)
        else { return nil }
        let forced = environment["OPENBLAS_CORETYPE"]
        let why = forced.map { "OPENBLAS_CORETYPE=\($0) is set" } ?? "OpenBLAS chose its \(coreName) kernels"
        if let m = measured, BLASKernels.same(m.from, coreName), BLASKernels.same(m.to, best) {
            guard m.checked, m.factor >= BLASKernels.worthwhileGain else { return nil }
            return "\(why), but `bench calibrate` measured OPENBLAS_CORETYPE=\(best) \(String(format: "%.2f", m.factor))x "
                + "faster on this machine (SGEMM \(String(format: "%.0f", m.fromGFLOPs)) -> \(String(format: "%.0f", m.toGFLOPs)) "
                + "GFLOP/s at \(m.threads) threads, \(m.date), results checked): set OPENBLAS_CORETYPE=\(best) in this command"
        }
        guard let forced, BLASKernels.isAVX512(best), !BLASKernels.isAVX512(forced) else { return nil }
        return "OPENBLAS_CORETYPE=\(forced) is set, but this CPU has AVX-512: OPENBLAS_CORETYPE=\(best) "
            + "(or unsetting it) selects OpenBLAS's AVX-512 kernels, up to 2x faster SGEMM on some CPUs and alike on "
            + "others (`bench calibrate` measures it here)"
    }

    /// `bench calibrate`'s stored measurement of the kernels in force against the best set on this machine, or nil.
    public static func storedMeasurement(store: KernelMeasurementStore = KernelMeasurementStore()) -> KernelMeasurement? {
        store.lookup(cpu: EnvironmentInfo.cpuModel(), openBLAS: EnvironmentInfo.openBLASVersion(), from: BLAS.coreName,
                     threads: System.coreCount)
    }

    /// Flags of the first CPU in /proc/cpuinfo.
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = EnvironmentInfo.firstCPUFields(cpuinfo: text)["flags"] else { return [] }
        return Set(flags.split(separator: " ").map(String.init))
    }

    /// The vendor_id of the first CPU in /proc/cpuinfo ("AuthenticAMD", "GenuineIntel"), or nil.
    public static func cpuVendor() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return EnvironmentInfo.firstCPUFields(cpuinfo: text)["vendor_id"]
    }

    /// Re-executes the running program with the missing settings added, once. Returns if nothing is missing or
    /// the re-exec fails (then the program runs with OpenBLAS's own choices).
    public static func reexecIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env[marker] == nil else { return }
        let missing = missingSettings(environment: env)
        setenv(marker, "1", 1)
        guard !missing.isEmpty else { return }
        for (k, v) in missing { setenv(k, v, 1) }
        let path = ChildRunner.executablePath
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv(path, argv)
        // Only reached when execv failed: carry on in this process.
    }
}
