// `bench calibrate`: the machine's kernel rates at 1 thread and at all cores.
import ArgumentParser
import BenchKit
import Engine

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure SGEMM GFLOP/s and LayerNorm/GELU GB/s at 1 thread and at all cores (the peak GFLOP/s bench compares to).")

    @Option(help: "Timed repeats per kernel (median reported).")
    var repeats = 20

    func run() throws {
        try reportingErrors {
            if repeats < 1 { throw BenchError("--repeats must be a positive integer, got \(repeats)") }
            let counts = System.coreCount > 1 ? [1, System.coreCount] : [1]
            print("\(EnvironmentInfo.buildConfiguration) build, \(EnvironmentInfo.current().blas)")
            if let advice = BLASEnvironment.advice() { print("note: " + advice) }
            print(Calibration.render(counts.map { Calibration.measure(threads: $0, repeats: repeats) }))
        }
    }
}
