// Integer arithmetic on sizes that come from the command line: an overflow makes the result unknown (nil) instead
// of trapping or wrapping, so a size check can refuse `--depth 4e18` in one line before anything is allocated.

/// An Int whose + and * report overflow as a nil `value`, which then stays nil.
public struct CheckedInt: Sendable, Equatable, ExpressibleByIntegerLiteral {
    /// The exact value, or nil when some step overflowed.
    public let value: Int?

    public init(_ value: Int) { self.value = value }
    public init(integerLiteral value: Int) { self.value = value }
    private init(unknown: Void) { value = nil }
    static let overflow = CheckedInt(unknown: ())

    public static func + (a: CheckedInt, b: CheckedInt) -> CheckedInt {
        guard let x = a.value, let y = b.value else { return .overflow }
        let (r, o) = x.addingReportingOverflow(y)
        return o ? .overflow : CheckedInt(r)
    }

    public static func * (a: CheckedInt, b: CheckedInt) -> CheckedInt {
        guard let x = a.value, let y = b.value else { return .overflow }
        let (r, o) = x.multipliedReportingOverflow(by: y)
        return o ? .overflow : CheckedInt(r)
    }

    /// The larger of two values (unknown if either is).
    public static func max(_ a: CheckedInt, _ b: CheckedInt) -> CheckedInt {
        guard let x = a.value, let y = b.value else { return .overflow }
        return CheckedInt(Swift.max(x, y))
    }
}
