// Enumerations of the lower layers that options take by name (--variant, --transitions, --attention).
import ArgumentParser
import Models

extension TransitionBackprop: ExpressibleByArgument {}
extension AttentionKind: ExpressibleByArgument {}
extension Variant: ExpressibleByArgument {}
