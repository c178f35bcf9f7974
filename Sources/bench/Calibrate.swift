// `bench calibrate`: the machine's kernel rates at 1 thread and at all cores, and, with --reference-check, whether
// the SGEMM reference that every row records holds still right after a training run.
import ArgumentParser
import BenchKit
import Engine
import Foundation

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure SGEMM GFLOP/s and LayerNorm/GELU GB/s at 1 thread and at all cores (the peak GFLOP/s bench compares to).",
        discussion: """
            --reference-check also trains a tiny model for a few steps and then measures the SGEMM reference (what \
            every row's sgemm_gflops column records) five times in a row at all cores: it prints the five figures and \
            exits 1 when the largest is more than 1.15x the smallest. A timing, so a busy machine can fail it; it is a \
            check of this machine, not a test.
            """)

    @Option(help: "Timed repeats per kernel (median reported).")
    var repeats = 20
    @Flag(help: "Also check that the SGEMM reference holds still right after a training run (exit 1 if not).")
    var referenceCheck = false

    func run() throws {
        try reportingErrors {
            if repeats < 1 { throw BenchError("--repeats must be a positive integer, got \(repeats)") }
            let counts = System.coreCount > 1 ? [1, System.coreCount] : [1]
            print("\(EnvironmentInfo.buildConfiguration) build, \(EnvironmentInfo.current().blas)")
            if let advice = BLASEnvironment.advice() { print("note: " + advice) }
            print(Calibration.render(counts.map { Calibration.measure(threads: $0, repeats: repeats) }))
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
}
