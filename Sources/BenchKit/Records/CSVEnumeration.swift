// The enumerations a CSV cell may hold (variant, attention, transitions): their allowed values, so a cell that holds
// none of them is refused by listing what it may be.
import Models

/// A CSV cell type with a fixed set of spellings.
protocol CSVEnumeration {
    /// Every value a cell may hold, as written.
    static var allowedValues: [String] { get }
}

extension CSVEnumeration where Self: CaseIterable & RawRepresentable, RawValue == String {
    static var allowedValues: [String] { allCases.map(\.rawValue) }
}

extension Variant: CSVEnumeration {}
extension AttentionKind: CSVEnumeration {}
extension TransitionBackprop: CSVEnumeration {}
