// Commands that can say how much work they would do before doing it: `bench reproduce` asks each entry's command,
// parsed in process, to predict the plan's time.

/// A command whose predicted work (MACs x batch x passes x steps, summed over what it would measure) is known from
/// its options alone.
protocol PredictsWork {
    func predictedWork() throws -> Double
}
