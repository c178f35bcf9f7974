// `bench calibrate`'s verdict on OpenBLAS's kernel sets: the set in force against the best one this CPU supports,
// each measured in its own child processes (alternating rounds), and which to use. Kept apart from the clock and
// the processes, so tests give it probes and check the decision.
import Engine

/// The set in force against the candidate, and what to do.
public struct KernelComparison: Sendable, Equatable {
    public var inForce: KernelProbe
    public var candidate: KernelProbe
    /// What OPENBLAS_CORETYPE was when calibrate ran (nil: unset, OpenBLAS's or bench's own choice).
    public var environmentValue: String?

    /// What calibrate advises.
    public enum Verdict: Sendable, Equatable {
        /// The candidate is faster by `factor` and its results are right: set OPENBLAS_CORETYPE to it.
        case use(String, factor: Double)
        /// The candidate's gain is below `BLASKernels.worthwhileGain`: keep the set in force.
        case alike(factor: Double)
        /// The candidate's results failed the check: never use it.
        case wrong(String)
    }

    /// The largest over the smallest reference-shape rate among one set's rounds, the larger of the two sets'
    /// (1 for a single round each): how far the machine's speed moved while calibrate measured.
    public var roundSpread = 1.0

    /// Rounds of one set that disagree by more than this leave the verdict to a quieter machine (not stored).
    public static let spreadLimit = 1.10

    public init(inForce: KernelProbe, candidate: KernelProbe, environmentValue: String?) {
        self.inForce = inForce; self.candidate = candidate; self.environmentValue = environmentValue
    }

    /// Each set's fastest reading per shape over its rounds, with the rounds' spread.
    public init?(inForceRounds: [KernelProbe], candidateRounds: [KernelProbe], environmentValue: String?) {
        guard let a = KernelProbe.best(of: inForceRounds), let b = KernelProbe.best(of: candidateRounds) else { return nil }
        self.init(inForce: a, candidate: b, environmentValue: environmentValue)
        func spread(_ rounds: [KernelProbe]) -> Double {
            let rates = rounds.map(\.referenceGFLOPs)
            return rates.max()! / rates.min()!
        }
        roundSpread = max(spread(inForceRounds), spread(candidateRounds))
    }

    /// Whether the rounds agreed well enough for the verdict to stand and be stored.
    public var isSteady: Bool { roundSpread <= Self.spreadLimit }

    /// Candidate / in force on the reference shape (qkv: what every row's `sgemm_gflops` records).
    public var factor: Double { candidate.referenceGFLOPs / inForce.referenceGFLOPs }

    public var verdict: Verdict {
        if !candidate.checkPassed { return .wrong(candidate.coreName) }
        return factor >= BLASKernels.worthwhileGain ? .use(candidate.coreName, factor: factor) : .alike(factor: factor)
    }

    /// The table and verdict `bench calibrate` prints.
    public func render() -> String {
        let a = inForce.coreName, b = candidate.coreName
        var rows = [["SGEMM (B transposed)", "\(a) GFLOP/s", "\(b) GFLOP/s", "\(b) / \(a)"]]
        for (i, s) in KernelProbe.shapes.enumerated() where i < inForce.gflops.count && i < candidate.gflops.count {
            rows.append([s.label, Format.fixed(inForce.gflops[i], 1), Format.fixed(candidate.gflops[i], 1),
                         Format.fixed(candidate.gflops[i] / inForce.gflops[i], 2) + "x"])
        }
        var lines = [TextTable.render(rows, rightAligned: [1, 2, 3])]
        for r in candidate.check {
            lines.append("\(b) against a double-precision reference, \(r.cases) cases (\(SGEMMCheck.shapes.count) shapes x 4 "
                         + "transpositions) at \(r.threads) thread\(r.threads == 1 ? "" : "s"): worst error "
                         + Format.fixed(r.worstRatio, 3) + " of its bound (\(r.worstCase)): " + (r.passed ? "OK" : "WRONG"))
        }
        let gain = Format.fixed(factor, 2) + "x on " + KernelProbe.shapes[0].label + " at \(inForce.threads) threads"
        if !isSteady {
            lines.append("warning: rounds of one kernel set differ by " + Format.fixed(100 * (roundSpread - 1), 0)
                         + "% on " + KernelProbe.shapes[0].label + " (above " + Format.fixed(100 * (Self.spreadLimit - 1), 0)
                         + "%: the machine is busy); the verdict below is uncertain and is not stored: rerun on a quiet machine")
        }
        // A noisy machine's speed verdict is only a leaning: "use:" is kept for advice that stands (a wrong result
        // is wrong however busy the machine was).
        let advice = isSteady ? "use:" : "uncertain, leaning to:"
        switch verdict {
        case .use(let name, _):
            lines.append("\(advice) OPENBLAS_CORETYPE=\(name) (\(gain); \(a) is in force"
                         + (environmentValue.map { " because OPENBLAS_CORETYPE=\($0) is set" } ?? "") + ")")
        case .alike:
            lines.append("\(advice) the kernels in force (\(a)); \(b) runs alike here (\(gain), below the "
                         + Format.fixed(BLASKernels.worthwhileGain, 2) + "x worth changing for)")
        case .wrong(let name):
            lines.append("use: the kernels in force (\(a)); never OPENBLAS_CORETYPE=\(name) on this machine: its results are wrong")
        }
        return lines.joined(separator: "\n")
    }
}
