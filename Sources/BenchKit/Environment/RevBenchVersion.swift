// The product's version.
public enum RevBenchVersion {
    public static let string = "0.1.0"
}
