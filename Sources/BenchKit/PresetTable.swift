// The table `bench list` prints.
import Models

public enum PresetTable {
    public static func render() -> String {
        "presets: (coming with the model registry)"
    }
}
