// The environment columns every results row carries (run records and stability records alike), so that one function
// stamps them: `EnvironmentInfo.stamp`.

/// A record with the environment columns: when, which commit and build, on which machine and libraries.
public protocol EnvironmentColumns {
    var timestamp: String? { get set }
    var gitSHA: String? { get set }
    var build: String? { get set }
    var cpu: String? { get set }
    var cores: Int? { get set }
    /// The BLAS library and kernel; a child that measured reports the one it used, which the stamp keeps.
    var blas: String? { get set }
    var swiftVersion: String? { get set }
}

extension RunRecord: EnvironmentColumns {}
extension StabilityRecord: EnvironmentColumns {}
