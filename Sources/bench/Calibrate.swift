// `bench calibrate`: the machine's kernel rates at 1 thread and at all cores; OpenBLAS's kernel set in force against
// the best one this CPU supports (each in child processes, alternating, the candidate's results checked against a
// double-precision reference), with a verdict stored for `bench run`'s note; and, with --reference-check, whether
// the SGEMM reference that every row records holds still right after a training run.
import ArgumentParser
import BenchKit
import Engine
import Foundation

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure SGEMM GFLOP/s and LayerNorm/GELU GB/s at 1 thread and at all cores (the peak GFLOP/s bench compares to), and which OpenBLAS kernels to use.",
        discussion: """
            Then compares OpenBLAS's kernel set in force with the best one this CPU supports (OPENBLAS_CORETYPE \
            SkylakeX or Cooperlake on AVX-512 CPUs, Zen or Haswell on AVX2 ones): SGEMM on the step's shapes at all \
            cores in alternating child processes, and the candidate's results against a double-precision reference \
            on \(SGEMMCheck.cases.count) cases at 1 thread and at all cores. It says which to use and stores the \
            measurement (\(KernelMeasurementStore.defaultURL().path)) for bench run's note. It never changes \
            OPENBLAS_CORETYPE for other commands.

            --reference-check also trains a tiny model for a few steps and then measures the SGEMM reference (what \
            every row's sgemm_gflops column records) five times in a row at all cores: it prints the five figures and \
            exits 1 when the largest is more than 1.15x the smallest. A timing, so a busy machine can fail it; it is a \
            check of this machine, not a test.
            """)

    @Option(parsing: .unconditional, help: "Timed repeats per kernel (median reported), 1...1000.")
    var repeats = 20
    @Flag(help: "Also check that the SGEMM reference holds still right after a training run (exit 1 if not).")
    var referenceCheck = false
    @Flag(inversion: .prefixedNo, help: "Compare OpenBLAS's kernel set in force with the best one this CPU supports.")
    var kernels = true
    @Option(parsing: .unconditional, help: "Alternating rounds of the kernel comparison (each set's fastest round is kept), 1...20.")
    var kernelRounds = 2
    @Flag(name: .customLong(String(KernelProbeRunner.childFlag.dropFirst(2))), help: .hidden)
    var kernelProbe = false
    @Flag(help: .hidden) var kernelCheck = false
    @Option(parsing: .unconditional, help: .hidden) var threads: Int?

    func run() throws {
        try reportingErrors {
            if !(1...1000).contains(repeats) { throw BenchError("--repeats \(repeats) is outside 1...1000") }
            if !(1...20).contains(kernelRounds) { throw BenchError("--kernel-rounds \(kernelRounds) is outside 1...20") }
            if kernelProbe {  // a child of compareKernels
                let probe = KernelProbe.measure(threads: threads ?? System.coreCount, repeats: repeats, check: kernelCheck)
                print(try probe.line())
                return
            }
            let counts = System.coreCount > 1 ? [1, System.coreCount] : [1]
            print("\(EnvironmentInfo.buildConfiguration) build, \(EnvironmentInfo.current().blas)")
            if let advice = BLASEnvironment.advice() { print("note: " + advice) }
            print(Calibration.render(counts.map { Calibration.measure(threads: $0, repeats: repeats) }))
            if kernels { try compareKernels() }
            guard referenceCheck else { return }
            let rates = try Calibration.referenceAfterTraining(threads: System.coreCount)
            let spread = rates.max()! / rates.min()!
            let ok = spread <= Calibration.referenceSpreadLimit
            print("SGEMM reference right after a training run, \(System.coreCount) threads: "
                  + rates.map { Format.fixed($0, 1) }.joined(separator: ", ") + " GFLOP/s; largest / smallest "
                  + Format.fixed(spread, 3) + (ok ? " (within " : " (above ") + "\(Calibration.referenceSpreadLimit)): "
                  + (ok ? "OK" : "FAILED"))
            if !ok { throw ExitCode(1) }
        }
    }

    /// The kernel set in force against the best one this CPU supports; prints the verdict and stores it.
    func compareKernels() throws {
        let inForce = BLAS.coreName, set = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        let how = set.map { "OPENBLAS_CORETYPE=\($0)" } ?? "OPENBLAS_CORETYPE unset"
        guard let best = BLASKernels.best(cpuFlags: BLASEnvironment.cpuFlags(), vendor: BLASEnvironment.cpuVendor()) else {
            print("OpenBLAS kernels: \(inForce) in force (\(how)); this CPU has neither AVX2 + FMA nor AVX-512: nothing to compare")
            return
        }
        let cores = System.coreCount
        if BLASKernels.same(inForce, best) {
            print("OpenBLAS kernels: \(inForce) in force (\(how)), the best set this CPU supports")
            for r in SGEMMCheck.run(threads: cores > 1 ? [1, cores] : [1]) {
                print("\(inForce) against a double-precision reference, \(r.cases) cases at \(r.threads) thread\(r.threads == 1 ? "" : "s"): "
                      + "worst error \(Format.fixed(r.worstRatio, 3)) of its bound (\(r.worstCase)): \(r.passed ? "OK" : "WRONG")")
            }
            return
        }
        print("OpenBLAS kernels: \(inForce) in force (\(how)); the best set this CPU supports is \(best): "
              + "\(kernelRounds) alternating rounds, each set in a child process, \(cores) threads")
        let runner = KernelProbeRunner(threads: cores, repeats: min(repeats, 10))
        var current: [KernelProbe] = [], candidate: [KernelProbe] = []
        for round in 0..<kernelRounds {
            let check = round == 0
            if round % 2 == 0 {
                current.append(try runner.probe(coreType: nil, check: false))
                candidate.append(try runner.probe(coreType: best, check: check))
            } else {
                candidate.append(try runner.probe(coreType: best, check: check))
                current.append(try runner.probe(coreType: nil, check: false))
            }
        }
        let loaded = candidate[0].coreName
        guard BLASKernels.same(loaded, best) else {
            print("OpenBLAS \(EnvironmentInfo.current().blas) loaded \(loaded) when asked for OPENBLAS_CORETYPE=\(best): keep \(inForce)")
            return
        }
        let comparison = KernelComparison(inForceRounds: current, candidateRounds: candidate, environmentValue: set)!
        print(comparison.render())
        guard comparison.isSteady else { return }
        let env = EnvironmentInfo.current()
        let version = env.blas.split(separator: " ").dropFirst().first.map(String.init) ?? "unknown"
        let date = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let store = KernelMeasurementStore()
        do {
            try store.record(KernelMeasurement(comparison, cpu: env.cpu, openBLAS: version, date: date))
            print("stored for bench run's note: \(store.url.path)")
        } catch {
            print("could not store the measurement in \(store.url.path): \(error.localizedDescription)")
        }
    }
}
