// Why a results file cannot be used: named with its path, printed as one error: line.

/// A results file refused (a folder, a foreign file, an unwritable path), with the reason.
public struct ResultsFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
