// Commands that can say how much work they would do before doing it: `bench reproduce` asks each entry's command,
// parsed in process, to predict the plan's time.
import BenchKit

/// A command whose predicted work (MACs x batch x passes x steps, summed over what it would measure) is known from
/// its options alone.
protocol PredictsWork {
    func predictedWork() throws -> Double
    /// The predicted work of what the command would measure with --resume into `output` in `env`: without the
    /// requests whose rows of this code, machine and settings are there already (`BenchSession.notYetMeasured`).
    func predictedWork(resumingInto output: String, env: EnvironmentInfo) throws -> Double
}

extension PredictsWork {
    /// A command without --resume (stability) measures everything again.
    func predictedWork(resumingInto output: String, env: EnvironmentInfo) throws -> Double { try predictedWork() }
}
