// A deliberate memory regression for tests of the profiler and of bench check: with the environment variable set
// to a Linear layer's name (e.g. "blocks.1.mlp.fc1"), that layer keeps one extra copy of its input for backward,
// allocated without naming a scope, as a careless change would. Read once, when layers are built.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test-only mutation that makes one named Linear layer keep an extra tensor.
public enum TestingMutation {
    /// The environment variable naming the layer (unset in every real run).
    public static let extraSavedInputVariable = "REVBENCH_TESTING_EXTRA_SAVED_INPUT"

    /// The layer named by the environment variable, or nil.
    public static let layerKeepingExtraInput: String? = getenv(extraSavedInputVariable).map { String(cString: $0) }
}
