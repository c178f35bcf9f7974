// One thing bench check found moved against the baseline, with the rule it broke.
import Foundation
import Models

/// One thing that moved.
public struct RegressionFinding: Equatable, Sendable {
    public enum Severity: String, Sendable { case failure = "FAIL", warning = "warn" }
    public var severity: Severity
    public var configuration: String
    public var metric: String
    public var baseline: String
    public var current: String
    public var rule: String
}
