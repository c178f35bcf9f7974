// The configuration a row measured, without its variant: what rows are grouped, compared and keyed by.
import Models

/// The configuration a row measured: rows with equal configurations and different variants are one comparison.
public struct RunConfiguration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The device, engine and precision of the Swift engine's rows.
    public static let cpu = "cpu", revbench = "revbench", fp32 = "fp32"

    public var model: String
    public var device: String
    /// Rows of different engines (or precisions) are never compared with each other.
    public var engine: String
    public var precision: String
    public var depth: Int?, width: Int?, heads: Int?, imageSize: Int?, patchSize: Int?
    /// The stage transitions' backprop; "store" for every model without any.
    public var transitions: String
    /// The attention core; "math" where there is no choice.
    public var attention: String
    public var batch: Int?
    public var memoryBudgetBytes: Int?

    /// Who measured where, when it is not the Swift engine on the CPU in fp32: e.g. "pytorch 2.11.0, NVIDIA H100, tf32".
    public var engineLabel: String {
        var parts: [String] = []
        if engine != Self.revbench { parts.append(engine) }
        if device != Self.cpu || !parts.isEmpty { parts.append(device) }
        if precision != Self.fp32 { parts.append(precision) }
        return parts.joined(separator: ", ")
    }

    /// The model's name with the engine label and non-default transitions or attention in parentheses.
    public var modelLabel: String {
        let notes = [engineLabel, transitions == TransitionBackprop.store.rawValue ? "" : "transitions \(transitions)",
                     attention == AttentionKind.math.rawValue ? "" : "attention \(attention)"]
            .filter { !$0.isEmpty }
        return notes.isEmpty ? model : "\(model) (\(notes.joined(separator: ", ")))"
    }

    /// The same configuration with stored transitions: where the standard and checkpointed twins of a
    /// transitions-recompute run are measured (they have no stage transitions to recompute).
    public var withStoredTransitions: RunConfiguration {
        var c = self; c.transitions = TransitionBackprop.store.rawValue; return c
    }

    /// The same configuration at any depth (reversible memory must not depend on it).
    public var ignoringDepth: RunConfiguration { var c = self; c.depth = nil; return c }

    public var description: String {
        var parts = [model]
        if engine != Self.revbench { parts.append(engine) }
        if device != Self.cpu { parts.append(device) }
        if precision != Self.fp32 { parts.append(precision) }
        if let depth { parts.append("d\(depth)") }
        parts.append("w\(width.map(String.init) ?? "?") h\(heads.map(String.init) ?? "?")")
        parts.append("img\(imageSize.map(String.init) ?? "?")/p\(patchSize.map(String.init) ?? "?")")
        if transitions != TransitionBackprop.store.rawValue { parts.append("transitions \(transitions)") }
        if attention != AttentionKind.math.rawValue { parts.append("attention \(attention)") }
        if let batch { parts.append("b\(batch)") }
        if let memoryBudgetBytes { parts.append("budget \(Format.size(Double(memoryBudgetBytes)))") }
        return parts.joined(separator: " ")
    }

    public static func < (a: RunConfiguration, b: RunConfiguration) -> Bool {
        func key(_ c: RunConfiguration) -> [Int] {
            [c.depth ?? -1, c.width ?? -1, c.heads ?? -1, c.imageSize ?? -1, c.patchSize ?? -1, c.memoryBudgetBytes ?? -1, c.batch ?? -1]
        }
        if a.model != b.model { return a.model < b.model }
        if a.transitions != b.transitions { return a.transitions < b.transitions }
        if a.attention != b.attention { return a.attention < b.attention }
        if a.engine != b.engine { return a.engine < b.engine }
        if a.device != b.device { return a.device < b.device }
        if a.precision != b.precision { return a.precision < b.precision }
        return key(a).lexicographicallyPrecedes(key(b))
    }
}
