/// Why a target (or a `ws://` URL) cannot be probed as written; raised before any socket opens.
public struct ProbeTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the offending part.
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "invalid probe target: \(self.reason)" }
}
