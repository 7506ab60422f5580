#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One line of the audit log (NDJSON): who sent which command to which instance, the state before
/// and after, and the outcome. Written by `haws top` and `haws drain` alike (``AuditLog`` in HawsClient).
public struct AuditRecord: Sendable, Hashable {
    public var time: Date
    public var user: String
    public var instance: String
    public var object: String
    public var command: String
    public var stateBefore: String?
    public var stateAfter: String?
    /// `took effect`, `sent; not observed`, `failed: ...`.
    public var result: String
    /// `operator`, `auto-maint at zero tunnels`, `drain deadline offer`.
    public var origin: String

    public init(
        time: Date, user: String, instance: String, object: String, command: String, stateBefore: String?,
        stateAfter: String?, result: String, origin: String
    ) {
        self.time = time
        self.user = user
        self.instance = instance
        self.object = object
        self.command = command
        self.stateBefore = stateBefore
        self.stateAfter = stateAfter
        self.result = result
        self.origin = origin
    }

    /// The record as one JSON line, without the newline: written by the same builder as every other haws
    /// line (`time` first, RFC 3339 with milliseconds), and unknown states as `null` rather than left out, so
    /// every line has every field.
    public func jsonLine() -> String {
        var json = JSONLineBuilder(capacity: 256)
        json.beginObject()
        json.field("time", RFC3339.string(time))
        json.field("user", user)
        json.field("instance", instance)
        json.field("object", object)
        json.field("command", command)
        json.field("state_before", stateBefore)
        json.field("state_after", stateAfter)
        json.field("result", result)
        json.field("origin", origin)
        json.endObject()
        return String(decoding: json.line.dropLast(), as: UTF8.self)
    }
}
