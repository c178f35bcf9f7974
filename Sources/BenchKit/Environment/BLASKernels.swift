// Which OpenBLAS kernel set (an OPENBLAS_CORETYPE value) suits a CPU, from its /proc/cpuinfo flags and vendor alone.
// Names are OpenBLAS 0.3.21's (DYNAMIC_ARCH): it accepts them case-insensitively, silently falls back to its own
// choice for an unknown name or for Cooperlake on a CPU without avx512_bf16, but loads SkylakeX even on a CPU
// without AVX-512 (the first SGEMM then dies of SIGILL), so a name is only ever proposed from the CPU's flags.

/// The kernel-set names RevBench proposes, and which of them a CPU supports.
public enum BLASKernels {
    /// The flags OpenBLAS's SkylakeX kernels need.
    public static let avx512Flags: Set<String> = ["avx512f", "avx512bw", "avx512vl", "avx512dq"]

    /// A measured gain below this is noise on a shared machine, not a reason to change kernels.
    public static let worthwhileGain = 1.05

    /// The most specific kernel set this CPU supports: Cooperlake (AVX-512 + BF16, what OpenBLAS picks itself
    /// where it knows the CPU; its SGEMM is SkylakeX's), SkylakeX (AVX-512), Zen (AMD with AVX2 + FMA: Haswell's
    /// kernels with Zen's cache blocking), Haswell (AVX2 + FMA); nil for older CPUs (OpenBLAS's own choice stands).
    public static func best(cpuFlags: Set<String>, vendor: String?) -> String? {
        if cpuFlags.isSuperset(of: avx512Flags) {
            return cpuFlags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        guard cpuFlags.isSuperset(of: ["avx2", "fma"]) else { return nil }
        return vendor == "AuthenticAMD" ? "Zen" : "Haswell"
    }

    /// Whether `name` (an OPENBLAS_CORETYPE value or `openblas_get_corename()`) is an AVX-512 kernel set.
    public static func isAVX512(_ name: String) -> Bool {
        ["skylakex", "cooperlake", "sapphirerapids"].contains(name.lowercased())
    }

    /// Whether two names denote the same kernel set (OpenBLAS compares names case-insensitively).
    public static func same(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }
}
