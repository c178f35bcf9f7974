// Memory figures of one measured step: the ledger's (exact, per category), the allocator-rounded ones and jemalloc's.
import Foundation
import Engine
import Models

/// Memory figures of one measured step.
public struct StepMemory: Sendable {
    public var baselineLedger = 0        // ledger live total before the step
    public var peakLedger = 0            // ledger peak total during the step
    public var peakActivation = 0        // ledger activation peak above its pre-step level
    public var baselineAllocated = 0     // ledger live bytes as the allocator rounded them, before the step
    public var peakAllocated = 0         // the same, peak during the step
    public var jemallocBefore = 0        // stats.allocated before the step
    public var jemallocStepPeak = 0      // thread.peak.read after thread.peak.reset at the step's start
    public var stepLedger: Int { peakLedger - baselineLedger }
    public var stepAllocated: Int { peakAllocated - baselineAllocated }
}
